import { FIVE_QUESTIONS, postMortemDraft } from '../../../src/rollback/follow-up/post-mortem-draft';
import type { IncidentRecord, TimelineRecord } from '../../../src/rollback/ports/incident-store';

const at = (hhmmss: string): Date => new Date(`2026-01-17T${hhmmss}Z`);

const incident: IncidentRecord = {
  id: 'inc_20260117_1',
  service: 'dr-amal-clinical-os',
  state: 'resolved',
  severity: 'must',
  issue: 'Sign-in returns 500',
  trigger: 'auth completely broken | alertmanager AuthDown',
  openedBy: 'U0DEVOPS1',
  openedAt: at('14:03:00'),
  impactStartedAt: at('14:01:00'),
  detectedAt: at('14:03:00'),
  decidedAt: at('14:04:00'),
  restoredAt: at('14:07:30'),
  data: {
    request: { kind: 'application' },
    requestedBy: 'U0DEVOPS1',
    owner: 'U0DEVOPS1',
    targetSummary: '1.9.0 (commit b7920c6)',
    evidence: { impact: 'alert_starts_at', detectedFrom: 'Alertmanager AuthDown' },
  },
};

function entry(time: string, actor: string, message: string): TimelineRecord {
  return { id: time, incidentId: incident.id, at: at(time), actor, kind: 'event', message, data: {} };
}

const timeline = [
  entry('14:07:30', 'rollback-bot', 'Verification passed: health, version, sign-in.'),
  entry('14:03:00', 'U0DEVOPS1', 'Incident opened: Sign-in returns 500'),
  entry('14:04:10', 'rollback-bot', 'Promoting dpl_good to production\nvia Vercel'),
];

describe('post-mortem draft', () => {
  const draft = postMortemDraft({
    incident,
    timeline,
    deployedAt: at('14:00:00'),
    badVersion: '2.0.0 (commit b90de38)',
    archives: [],
  });

  it("has the runbook's five questions as headings, in order", () => {
    const headings = draft.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual(FIVE_QUESTIONS.map((q) => `### ${q}`));
  });

  it('says what happened, what was live and how it ended', () => {
    expect(draft).toContain('# Post-mortem (draft): dr-amal-clinical-os: Sign-in returns 500');
    expect(draft).toContain('severity MUST');
    expect(draft).toContain('- **Live when it broke:** 2.0.0 (commit b90de38)');
    expect(draft).toContain('Production was restored by a rollback to 1.9.0 (commit b7920c6) at 2026-01-17 14:07 UTC.');
  });

  it('states when it was detected, from what, how long after the deployment, and by whom', () => {
    expect(draft).toContain(
      'Detected 2026-01-17 14:03 UTC from Alertmanager AuthDown, 3 min after the ' +
        'deployment went live; reported by <@U0DEVOPS1>.',
    );
    expect(draft).toContain("| Impact started | 2026-01-17 14:01 UTC (from the alert's startsAt) |");
  });

  it('lists the times against the runbook targets with what each was measured from, marking the missed ones', () => {
    expect(draft).toContain(
      '| Detection time | 3 min | deployment went live → detected from Alertmanager AuthDown | < 5 min | met |',
    );
    expect(draft).toContain('| Execution time | 3 min 30 s | rollback decided → production restored | < 5 min | met |');
    expect(draft).toContain(
      "| Downtime | 6 min 30 s | impact started (the alert's startsAt) → production restored | < 15 min | met |",
    );
    expect(draft).toContain('| Data loss | 0 rows | no values were archived | 0 | met |');
    const slow = postMortemDraft({
      incident: { ...incident, restoredAt: at('14:20:00') },
      timeline,
      deployedAt: at('14:00:00'),
      archives: [{ archiveTable: 'a', rows: 12, restored: false }],
    });
    expect(slow).toContain(
      "| Downtime | 19 min | impact started (the alert's startsAt) → production restored | < 15 min | **missed** |",
    );
    expect(slow).toContain('| Data loss | 12 rows | 1 archive(s), 0 restored by restore-archive | 0 | **missed** |');
  });

  it('shows what was done in time order, one table row per entry even when messages hold newlines or pipes', () => {
    const rows = draft.split('\n').filter((l) => /^\| \d\d:\d\d:\d\d \|/.test(l));
    expect(rows).toEqual([
      '| 14:03:00 | <@U0DEVOPS1> | Incident opened: Sign-in returns 500 |',
      '| 14:04:10 | rollback-bot | Promoting dpl_good to production via Vercel |',
      '| 14:07:30 | rollback-bot | Verification passed: health, version, sign-in. |',
    ]);
    expect(draft).toContain('- **Trigger:** auth completely broken \\| alertmanager AuthDown');
  });

  it('says "not known" for what was not recorded and does not claim a rollback that did not happen', () => {
    const failed = postMortemDraft({ incident: { ...incident, state: 'failed', restoredAt: undefined }, timeline: [] });
    expect(failed).toContain('| Detection time | not known | not known | < 5 min | — |');
    expect(failed).toContain('| Production restored | not recorded |');
    expect(failed).toContain('The incident ended as "failed" without a completed rollback.');
    expect(failed).toContain('_The timeline is empty._');
    expect(failed).not.toContain('restored by a rollback');
  });
});
