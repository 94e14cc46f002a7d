/**
 * The drill's pure parts: how an edit is printed, the metrics table and its
 * verdicts, reading buttons and checkboxes out of blocks, what a build of the
 * scratch app serves, and the command's options.
 */
import { parseDrillArgs } from '../../src/cli/drill';
import { checkFigures } from '../../src/drill/drill-checks';
import { DRILL_TARGETS, drillMetricRows, formatMetricsTable } from '../../src/drill/metrics-table';
import { rollbackMetrics } from '../../src/rollback/metrics/rollback-metrics';
import { buttonsIn, checkboxesIn } from '../../src/drill/people';
import { BAD_COMMIT, FIX_COMMIT, GOOD_COMMIT, SUMMARIES_FILE, appAt } from '../../src/drill/scratch-app';
import { changedLines } from '../../src/drill/slack-transcript';
import type { IncidentTimes } from '../../src/rollback/metrics/incident-times';

const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 20, 15, 0, seconds));

function incident(id: string, times: Partial<IncidentTimes>): IncidentTimes {
  return {
    id,
    service: 'dr-amal-clinical-os',
    rolledBack: true,
    archives: [],
    impactFrom: 'test timeline',
    detectedFrom: 'test timeline',
    ...times,
  };
}

describe('changedLines: an edit as a reader notices it', () => {
  it('keeps the first line and the changed ones, one "…" per run of unchanged lines', () => {
    const before = ['Rollback progress', 'step 1 running', 'step 2 pending', 'footer'].join('\n');
    const after = ['Rollback progress', 'step 1 done', 'step 2 pending', 'footer'].join('\n');
    expect(changedLines(before, after)).toBe(['Rollback progress', 'step 1 done', '…'].join('\n'));
  });

  it('shows a line repeated more often than before', () => {
    expect(changedLines('a\nx', 'a\nx\nx')).toBe('a\n…\nx');
  });
});

describe('the metrics table', () => {
  const from = at(0);
  const to = at(59);

  it("lays out the figures of the bot's own stats (rollbackMetrics), worst case first", () => {
    const rows = drillMetricRows(
      rollbackMetrics(
        [
          incident('INC-1', {
            deployedAt: at(0),
            impactStartedAt: at(1),
            detectedAt: at(3),
            decidedAt: at(20),
            restoredAt: at(26),
            archives: [{ archiveTable: 'a', rows: 30, restored: true }],
          }),
          incident('INC-2', { impactStartedAt: at(30), detectedAt: at(30), decidedAt: at(30), restoredAt: at(38) }),
        ],
        { from, to },
      ),
    );
    expect(rows.map((r) => [r.name, r.target, r.measured, r.pass])).toEqual([
      ['detection_time', '< 5 min', '3 s', true],
      ['execution_time', '< 5 min', '8 s (worst of 2; mean 7 s)', true],
      ['downtime', '< 15 min', '25 s (worst of 2; mean 17 s)', true],
      ['data_loss', '0', '0 row(s)', true],
    ]);
  });

  it('fails a target without data (nothing detected) and one that was missed (archives never restored)', () => {
    const rows = drillMetricRows(
      rollbackMetrics(
        [
          incident('INC-1', {
            impactStartedAt: at(0),
            detectedAt: at(0),
            decidedAt: at(1),
            restoredAt: at(5),
            archives: [{ archiveTable: 'a', rows: 12, restored: false }],
          }),
        ],
        { from, to },
      ),
    );
    expect(rows.map((r) => r.title.split(' (')[0])).toEqual([
      'Detection time',
      'Execution time',
      'Downtime',
      'Data loss',
    ]);
    expect(rows[0]).toMatchObject({ measured: 'no data', pass: false });
    expect(rows[3]).toMatchObject({ measured: '12 row(s)', pass: false });
    expect(DRILL_TARGETS).toHaveLength(4);
  });

  it('prints an aligned markdown table with PASS and FAIL', () => {
    const lines = formatMetricsTable([
      { name: 'detection_time', title: 'Detection time', target: '< 5 min', measured: '3 s', pass: true, samples: 1 },
      { name: 'data_loss', title: 'Data loss', target: '0', measured: '12 row(s)', pass: false, samples: 1 },
    ]);
    expect(lines).toEqual([
      '| Metric         | Target  | Measured  | Result |',
      '|----------------|---------|-----------|--------|',
      '| Detection time | < 5 min | 3 s       | PASS   |',
      '| Data loss      | 0       | 12 row(s) | FAIL   |',
    ]);
  });
});

describe("the drill checks the bot's figures against what it saw", () => {
  const liveAt = at(0).getTime();
  const observed = {
    liveAt,
    inProgressAt: liveAt + 11_400,
    completeAt: liveAt + 20_000,
    earliestEvidenceMs: 10_000,
    detectedFrom: /Alertmanager HighHttp5xxRate/,
  };
  const from = 'deployment went live → detected from Alertmanager HighHttp5xxRate';
  const good = {
    detection: { value: 10.5, from },
    downtime: { value: 19, from: 'impact…' },
    execution: { value: 8, from: 'decided…' },
  };
  const atGoLive = { startMs: 0, atGoLive: true };

  it('passes honest figures', () => {
    expect(checkFigures('INC-1', good, observed, atGoLive)).toEqual([]);
  });

  it(
    'fails detection shorter than its first evidence, downtime shorter than ' +
      'detection, and a figure from the wrong source',
    () => {
      expect(checkFigures('INC-1', { ...good, detection: { value: 0.2, from } }, observed, atGoLive)).toEqual([
        expect.stringMatching(/detection 0\.2 s is shorter than the 11\.4 s the drill saw before ROLLBACK IN PROGRESS/),
        expect.stringMatching(/detection 0\.2 s is shorter than the 10\.0 s before its first evidence/),
      ]);
      expect(checkFigures('INC-1', { ...good, downtime: { value: 0.387, from: 'x' } }, observed, atGoLive)).toEqual([
        expect.stringMatching(/downtime 0\.4 s is shorter than detection 10\.5 s/),
        expect.stringMatching(/shorter than the 11\.4 s the drill saw production broken/),
      ]);
      expect(
        checkFigures(
          'INC-1',
          { ...good, detection: { value: 10.5, from: 'deployment went live → detected from the sign-in probe' } },
          observed,
          atGoLive,
        ),
      ).toEqual([expect.stringMatching(/not from Alertmanager HighHttp5xxRate/)]);
      expect(checkFigures('INC-1', {}, observed, atGoLive)).toHaveLength(3);
    },
  );

  it(
    'lets a probe that still passed date the impact later than go-live, but never ' + 'before it nor after detection',
    () => {
      const later = { startMs: 4_000, atGoLive: false };
      expect(checkFigures('INC-1', { ...good, downtime: { value: 15.5, from: 'x' } }, observed, later)).toEqual([]);
      expect(checkFigures('INC-1', { ...good, downtime: { value: 5, from: 'x' } }, observed, later)).toEqual([
        expect.stringMatching(/downtime 5\.0 s is shorter than the 7\.4 s the drill saw production broken/),
      ]);
      expect(checkFigures('INC-1', good, observed, { startMs: -5_000, atGoLive: false })).toEqual([
        expect.stringMatching(/before the bad deployment went live/),
      ]);
      expect(checkFigures('INC-1', good, observed, { startMs: 12_500, atGoLive: false })).toEqual([
        expect.stringMatching(/after it detected it/),
      ]);
    },
  );
});

describe('reading the controls of a message', () => {
  const blocks = [
    {
      type: 'section',
      block_id: 's1',
      text: { type: 'mrkdwn', text: 'hi' },
      accessory: {
        type: 'button',
        action_id: 'rollback_now',
        value: 'INC-1',
        text: { type: 'plain_text', text: 'Roll back now' },
      },
    },
    {
      type: 'actions',
      block_id: 'approval:INC-1-A1',
      elements: [
        {
          type: 'button',
          action_id: 'rollback_approve',
          value: 'INC-1-A1',
          text: { type: 'plain_text', text: 'Approve' },
        },
        {
          type: 'checkboxes',
          action_id: 'follow_up',
          options: [
            { text: { type: 'mrkdwn', text: '*Verify*' }, value: 'verify' },
            { text: { type: 'mrkdwn', text: 'Notify' }, value: 'notify' },
          ],
          initial_options: [{ text: { type: 'mrkdwn', text: 'Notify' }, value: 'notify' }],
        },
      ],
    },
  ];

  it('finds buttons with their block and label', () => {
    expect(buttonsIn(blocks)).toEqual([
      { actionId: 'rollback_now', value: 'INC-1', blockId: 's1', label: 'Roll back now' },
      { actionId: 'rollback_approve', value: 'INC-1-A1', blockId: 'approval:INC-1-A1', label: 'Approve' },
    ]);
  });

  it('finds checkboxes with what is ticked', () => {
    const [boxes] = checkboxesIn(blocks);
    expect(boxes).toMatchObject({ blockId: 'approval:INC-1-A1', actionId: 'follow_up', ticked: ['notify'] });
    expect(boxes?.options.map((o) => o.value)).toEqual(['verify', 'notify']);
  });
});

describe('the scratch app', () => {
  it('serves what its code says: the zero provider timeout breaks it, the fix does not', () => {
    const tree = (commit: { files: Record<string, string | null> }) => ({
      packageJson: commit.files['package.json'] ?? undefined,
      summaries: commit.files[SUMMARIES_FILE] ?? undefined,
    });
    expect(appAt(tree(GOOD_COMMIT))).toEqual({ version: '1.9.0', broken: false });
    expect(appAt(tree(BAD_COMMIT))).toEqual({ version: '2.0.0-beta', broken: true });
    expect(appAt(tree(FIX_COMMIT))).toEqual({ version: '2.0.1', broken: false });
  });
});

describe('drill options', () => {
  it('reads --keep and --break, refusing unknown parts and mixes with --service', () => {
    expect(parseDrillArgs(['--keep', '--break', 'vercel-build'])).toMatchObject({
      keep: true,
      breaks: new Set(['vercel-build']),
    });
    expect(parseDrillArgs(['--break', 'nope'])).toBe('--break expects one of vercel-promote, vercel-build, got nope');
    expect(parseDrillArgs(['--service', 'x', '--break', 'vercel-build'])).toBe(
      '--break is for the local drill; it cannot be combined with --service',
    );
    expect(parseDrillArgs(['--yes'])).toBe('--yes and --report go with --service');
    expect(parseDrillArgs(['extra'])).toBe('unexpected argument extra');
    expect(parseDrillArgs(['--service', 'clinical-staging', '--yes', '--report', 'r.md'])).toMatchObject({
      service: 'clinical-staging',
      yes: true,
      report: 'r.md',
    });
  });

  it('reads --detect alerts (the default) or probes, and refuses anything else', () => {
    expect(parseDrillArgs([])).toMatchObject({ detect: 'alerts' });
    expect(parseDrillArgs(['--detect', 'probes'])).toMatchObject({ detect: 'probes' });
    expect(parseDrillArgs(['--detect', 'pager'])).toBe('--detect expects alerts or probes, got pager');
    expect(parseDrillArgs(['--service', 'x', '--detect', 'probes'])).toBe(
      '--detect is for the local drill; it cannot be combined with --service',
    );
  });
});
