import { buildPlan } from '../../../src/rollback/incident/plan';
import { ctoNotice, historyReply, outageDrafts, planReply, renderText, statusReply } from '../../../src/slack/blocks';
import type { HistoryView, OutageDraftsView, PlanReplyView, ServiceStatusView } from '../../../src/slack/blocks';
import { HOSTILE, ONCALL, TZ, at, expectSendable, huge, incident, service } from './fixtures';

const dryRun: PlanReplyView = {
  service: 'dr-amal',
  plan: buildPlan('application'),
  target: '1.9.0 (commit b7920c6, dpl_9Lk)',
  alreadyLive: false,
  migrationsBetween: ['20260117_add_ai_features'],
  dataLoss: [],
  notes: ['The target is older than these migrations: its code may expect the old schema.'],
};

describe('planReply', () => {
  it('shows kind, target, steps, migrations, data loss, approvals and duration, and that nothing changed', () => {
    const message = planReply(dryRun);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain('Dry run: Application rollback (Vercel)');
    expect(text).toContain('*Target:*\n1.9.0 (commit b7920c6, dpl_9Lk)');
    expect(text).toContain('*Expected duration:*\n2-5 minutes');
    expect(text).toContain('*Approvals needed:*\nNone');
    expect(text).toContain('1. Move production back to the target deployment on Vercel');
    expect(text).toContain('• `20260117_add_ai_features`');
    expect(text).toContain('Nothing was changed.');
    expect(text).toMatchSnapshot();
  });

  it('names the CTO approval and the data-loss estimate of a schema plan', () => {
    const text = renderText(
      planReply({
        ...dryRun,
        plan: buildPlan('schema'),
        target: '20260117_add_ai_features',
        migrationsBetween: [],
        dataLoss: [
          { table: { schema: 'public', name: 'ClinicalNote' }, column: 'aiGenerated', rows: 10, nonNullValues: 3 },
        ],
      }).blocks,
    );
    expect(text).toContain('CTO approval of the schema rollback (step 1)');
    expect(text).toContain('HIGH RISK');
    expect(text).toContain('column `public.ClinicalNote.aiGenerated` dropped: 3 non-empty value(s) in 10 row(s) lost');
    expect(text).toContain('_(CTO approval first)_');
  });

  it('stays sendable with 40 migrations, 40 dropped columns and 60 long notes', () => {
    const message = planReply({
      ...dryRun,
      target: huge(),
      migrationsBetween: Array.from({ length: 40 }, (_, i) => `2026011${i}_${huge(300)}`),
      dataLoss: Array.from({ length: 40 }, () => ({
        table: { schema: 'public', name: huge(60) },
        column: huge(60),
        rows: 1,
        nonNullValues: 1,
      })),
      notes: Array.from({ length: 60 }, () => huge(1500)),
    });
    expectSendable(message);
    expect(renderText(message.blocks)).toContain('Nothing was changed.');
  });
});

const status: ServiceStatusView = {
  service,
  timeZone: TZ,
  production: {
    version: '2.0.0-beta',
    commit: 'b90de38',
    deploymentId: 'dpl_7Qx',
    url: 'https://dr-amal-abc123.vercel.app',
    deployedAt: at('09:30'),
    deployedBy: 'U0DEVOPS1',
  },
  wouldRollBackTo: { version: '1.9.0', commit: 'b7920c6', why: 'last known good since Jan 16' },
  pinned: {
    since: at('14:03'),
    incidentId: 'INC-2026-0117-1',
    unpinWith: { version: '2.0.1', commit: 'c0ffee1', deploymentId: 'dpl_fix' },
  },
  openIncident: { id: 'INC-2026-0117-1', state: 'verifying', openedAt: at('14:02'), issue: 'Sign-in returns 500' },
};

describe('statusReply', () => {
  it('shows production now, the target a rollback would choose, the pin and the open incident', () => {
    const message = statusReply([status]);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain(
      '2.0.0-beta (commit b90de38) (https://dr-amal-abc123.vercel.app), deployed Jan ' +
        '17, 2026, 9:30 AM ET, by @U0DEVOPS1',
    );
    expect(text).toContain('1.9.0 (commit b7920c6) (last known good since Jan 16)');
    expect(text).toContain('📌 Yes since Jan 17, 2026, 2:03 PM ET');
    expect(text).toContain('*Unpin* (DevOps lead) promotes 2.0.1 (commit c0ffee1) so later pushes go live again');
    expect(JSON.stringify(message.blocks)).toContain('"value":"dr-amal|INC-2026-0117-1|dpl_fix"');
    expect(text).toContain('INC-2026-0117-1 (verifying, opened Jan 17, 2026, 2:02 PM ET): Sign-in returns 500');
    expect(text).toMatchSnapshot();
  });

  it('says plainly when production is not pinned, has no incident, or could not be read', () => {
    const text = renderText(
      statusReply([{ service, timeZone: TZ, productionError: 'Vercel answered 503 <html>' }]).blocks,
    );
    expect(text).toContain('Could not read production: Vercel answered 503 <html>');
    expect(text).toContain('No: new production deployments go live as usual');
    expect(text).toContain('*Open incident:*\nNone');
  });

  it('says why the version is unknown when the deployment URL is protected, with the setting to add', () => {
    const note =
      'The deployment URL dr-amal-abc123.vercel.app answered HTTP 401: Vercel ' +
      'Deployment Protection is on and vercel.protectionBypassEnv is not set for this ' +
      'service';
    const text = renderText(
      statusReply([{ ...status, production: { deploymentId: 'dpl_7Qx', versionNote: note } }]).blocks,
    );
    expect(text).toContain(`⚠️ Version unknown: ${note}`);
    expect(renderText(statusReply([status]).blocks)).not.toContain('Version unknown');
  });

  it('stays sendable for 40 services with hostile fields', () => {
    const views = Array.from({ length: 40 }, (): ServiceStatusView => ({
      ...status,
      service: { name: 'dr-amal', displayName: huge(300) },
      production: { ...status.production, version: huge(300), deployedBy: HOSTILE },
      openIncident: { id: huge(200), state: 'open', openedAt: at('14:00'), issue: huge(), url: 'https://x.example/i' },
    }));
    expectSendable(statusReply(views));
  });
});

const history: HistoryView = {
  service,
  timeZone: TZ,
  rows: [
    { version: '2.0.0-beta', commit: 'b90de38f', date: at('09:00'), notes: 'Phase 3: AI features', current: true },
    {
      version: '1.9.0',
      commit: 'b7920c6',
      date: new Date('2026-01-16T12:00:00-05:00'),
      notes: 'Phase 2: Frontend complete',
      lastKnownGood: true,
    },
    {
      version: '1.5.0',
      commit: '05e5fc2',
      date: new Date('2026-01-16T08:00:00-05:00'),
      notes: 'Phase 1: Backend + tests',
    },
  ],
};

describe('historyReply', () => {
  it('renders the runbook table Version | Git Commit | Date | Notes, aligned', () => {
    const message = historyReply([history]);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain('Version     Git Commit  Date        Notes');
    expect(text).toContain('1.9.0       b7920c6     2026-01-16  Phase 2: Frontend complete (last known good)');
    expect(text).toContain('Rollback priority:* if production fails, roll back to `b7920c6`');
    expect(text).toMatchSnapshot();
  });

  it('stays sendable with 1500 rows of hostile notes, and with several services', () => {
    const rows = Array.from({ length: 1500 }, () => ({
      version: huge(40),
      commit: 'b7920c6',
      date: at('10:00'),
      notes: huge(500),
    }));
    const one = historyReply([{ ...history, rows }]);
    expectSendable(one);
    expect(renderText(one.blocks)).toMatch(/…and \d+ older version\(s\)/);
    expectSendable(historyReply(Array.from({ length: 30 }, () => ({ ...history, rows: rows.slice(0, 200) }))));
  });
});

const drafts: OutageDraftsView = {
  incident,
  service,
  productName: 'Dr Amal',
  feature: 'sign-in',
  issueDescription: 'sign-in to fail for every user',
  impact: 'Users could not sign in or open patient records',
  startedAt: at('14:00'),
  endedAt: at('14:17'),
  asOf: at('14:20'),
  timeZone: TZ,
  dataLoss: '42 rows of data not restored yet (1 archive(s), 0 restored by restore-archive).',
};

describe('outageDrafts', () => {
  it('fills the runbook status page and email templates in code blocks', () => {
    const message = outageDrafts(drafts);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain(
      'RESOLVED: Service Degradation\n\nWe experienced issues with sign-in between 2:00 PM - 2:17 PM ET.',
    );
    expect(text).toContain('Subject: Service Update - January 17, 2026');
    expect(text).toContain(
      'Downtime: 17 minutes\nImpact: Users could not sign in or open patient ' +
        'records\nData Loss: 42 rows of data not restored yet (1 archive(s), 0 restored ' +
        'by restore-archive).',
    );
    expect(text).toContain('- The Dr Amal Team');
    expect(message.blocks.filter((b) => b.type === 'section' && b.text?.text.startsWith('```'))).toHaveLength(2);
    expect(text).toMatchSnapshot();
  });

  it('words an ongoing outage as still going, counting downtime so far', () => {
    const text = renderText(outageDrafts({ ...drafts, endedAt: undefined }).blocks);
    expect(text).toContain('IDENTIFIED: Service Degradation');
    expect(text).toContain('Downtime: 20 minutes so far (still ongoing at 2:20 PM ET)');
  });

  it('stays sendable with huge hostile facts, escaped inside the code blocks', () => {
    const message = outageDrafts({
      ...drafts,
      feature: huge(),
      issueDescription: huge(),
      impact: huge(),
      dataLoss: huge(),
      productName: huge(500),
    });
    expectSendable(message);
  });
});

describe('ctoNotice', () => {
  it('tells the CTO who rolled back what, when, outside working hours', () => {
    const message = ctoNotice({
      incident,
      service,
      kind: 'application',
      target: { version: '1.9.0', commit: 'b7920c6' },
      executedBy: ONCALL,
      reason: 'Sign-in broken',
      at: new Date('2026-01-17T23:42:00-05:00'),
      workingHours: 'mon-fri 09:00-18:00 America/New_York',
      timeZone: TZ,
    });
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain(
      '@U0ONCALL1 (on-call) executed an application rollback of *Dr Amal Clinical OS ' +
        '(dr-amal)* at Jan 17, 2026, 11:42 PM ET, outside working hours',
    );
    expect(text).toContain('*Action:* Rolling back to 1.9.0 (commit b7920c6)');
    expect(text).toMatchSnapshot();
  });

  it('stays sendable with a huge hostile reason', () => {
    expectSendable(
      ctoNotice({
        incident,
        service,
        kind: 'revert',
        target: { commit: HOSTILE },
        executedBy: HOSTILE,
        reason: huge(),
        at: at('23:00'),
        workingHours: huge(),
        timeZone: TZ,
      }),
    );
  });
});
