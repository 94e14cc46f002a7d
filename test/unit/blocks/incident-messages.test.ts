import { progress, renderText, rollbackComplete, rollbackFailed, rollbackInProgress } from '../../../src/slack/blocks';
import type { ProgressView, RollbackFailedView, StepProgress } from '../../../src/slack/blocks';
import { STEP_STATES } from '../../../src/rollback/incident/step-state';
import { DEVOPS, HOSTILE, TZ, at, expectSendable, huge, incident, service } from './fixtures';

const inProgress = {
  incident,
  service,
  kind: 'application' as const,
  issue: 'Sign-in returns 500 for every user',
  trigger: '5xx error rate 41% for 3 minutes (MUST rollback)',
  target: { version: '1.9.0', commit: 'b7920c6a1d2e3f40', deploymentId: 'dpl_9Lk' },
  etaMinutes: 5,
  owner: DEVOPS,
  startedAt: at('14:02'),
  timeZone: TZ,
};

describe('rollbackInProgress', () => {
  it('follows the runbook template: Issue, Trigger, Action, ETA, Owner', () => {
    const message = rollbackInProgress(inProgress);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain('🚨 ROLLBACK IN PROGRESS');
    expect(text).toContain('*Action:* Rolling back to 1.9.0 (commit b7920c6)');
    expect(text).toContain('*ETA:* 5 minutes');
    expect(text).toContain('*Owner:* @U0DEVOPS1');
    expect(message.blocks[1]).toMatchObject({ text: { text: expect.stringContaining('<@U0DEVOPS1>') } });
    expect(message.text).toMatch(/^🚨 ROLLBACK IN PROGRESS: Dr Amal Clinical OS \(dr-amal\): Sign-in returns 500/);
    expect(text).toMatchSnapshot();
  });

  it('names the git and schema actions and a target with only a commit', () => {
    expect(
      renderText(rollbackInProgress({ ...inProgress, kind: 'revert', target: { commit: 'b7920c6' } }).blocks),
    ).toContain('Reverting to commit b7920c6 with git revert (Option A)');
    expect(
      renderText(
        rollbackInProgress({ ...inProgress, kind: 'schema', target: { migration: '20260117_add_ai_features' } }).blocks,
      ),
    ).toContain('Rolling back migration 20260117_add_ai_features');
    expect(renderText(rollbackInProgress({ ...inProgress, target: {} }).blocks)).toContain(
      'Rolling back to the last known good version',
    );
  });

  it('stays sendable and escaped with huge hostile issue, trigger and owner', () => {
    const message = rollbackInProgress({
      ...inProgress,
      issue: huge(),
      trigger: huge(),
      owner: huge(300),
      target: { version: huge(500), commit: 'b7920c6' },
    });
    expectSendable(message);
    expect(renderText(message.blocks)).toContain('<!channel>');
  });
});

const verification: StepProgress = {
  position: 2,
  kind: 'verification',
  state: 'failed',
  label: 'Verify production: health, version and smoke tests',
  startedAt: at('14:04'),
  finishedAt: new Date(at('14:04').getTime() + 95_000),
  checks: [
    { name: 'health /api/health', passed: true, status: 200, latencyMs: 85 },
    {
      name: 'version /api/version',
      passed: false,
      status: 200,
      latencyMs: 40,
      detail: 'serves 2.0.0-beta, expected 1.9.0',
    },
  ],
  error: { message: 'Production still serves 2.0.0-beta.', fix: 'Check the aliases in Vercel.' },
};

const progressView: ProgressView = {
  incident,
  service,
  timeZone: TZ,
  updatedAt: at('14:06'),
  steps: [
    {
      position: 1,
      kind: 'application',
      state: 'succeeded',
      label: 'Move production back to the target deployment on Vercel',
      detail: 'instant rollback: 3 aliases moved',
      startedAt: at('14:02'),
      finishedAt: new Date(at('14:02').getTime() + 72_000),
    },
    verification,
  ],
};

describe('progress', () => {
  it('lists each step with its state, detail, checks and times', () => {
    const message = progress(progressView);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain(
      '✅ *1. Move production back to the target deployment on Vercel*: done · 2:02 PM ET, took 1 min 12 s',
    );
    expect(text).toContain('instant rollback: 3 aliases moved');
    expect(text).toContain('✓ pass health /api/health: 200, 85 ms');
    expect(text).toContain('✗ FAIL version /api/version: 200, 40 ms, serves 2.0.0-beta, expected 1.9.0');
    expect(text).toContain('*Fix:* Check the aliases in Vercel.');
    expect(message.text).toContain('step 2 failed');
    expect(text).toMatchSnapshot();
  });

  it('has a distinct emoji for each of the eight step states', () => {
    const steps = STEP_STATES.map((state, i) => ({
      position: i + 1,
      kind: 'application' as const,
      state,
      label: state,
    }));
    const lines = renderText(progress({ ...progressView, steps }).blocks)
      .split('\n')
      .filter((l) => /^\S+ \*\d+\./.test(l));
    const emojis = lines.map((l) => l.split(' ')[0]);
    expect(lines).toHaveLength(8);
    expect(new Set(emojis).size).toBe(8);
  });

  it('fits 60 steps with long details, 30 checks each and huge errors in one message', () => {
    const steps: StepProgress[] = Array.from({ length: 60 }, (_, i) => ({
      ...verification,
      position: i + 1,
      label: huge(400),
      detail: huge(2000),
      checks: Array.from({ length: 30 }, (_, c) => ({
        name: huge(200),
        passed: c % 3 !== 0,
        status: 503,
        latencyMs: 1200,
        detail: huge(500),
      })),
      error: { message: huge(5000), fix: huge(5000) },
    }));
    const message = progress({ ...progressView, steps });
    expectSendable(message);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(renderText(message.blocks)).toMatch(/…and \d+ more step\(s\)/);
  });
});

describe('rollbackComplete', () => {
  it('follows the runbook template: Version, Status, Next Steps, Incident', () => {
    const message = rollbackComplete({
      incident,
      service,
      target: { version: '1.9.0', commit: 'b7920c6' },
      postMortemAt: new Date('2026-01-18T10:00:00-05:00'),
      restoredAt: at('14:06'),
      executionMs: 252_000,
      downtimeMs: 14 * 60_000,
      timeZone: TZ,
    });
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain('✅ ROLLBACK COMPLETE');
    expect(text).toContain('*Version:* Reverted to 1.9.0 (commit b7920c6)');
    expect(text).toContain('*Status:* All systems operational');
    expect(text).toContain('*Next Steps:* Post-mortem scheduled for Jan 18, 2026, 10:00 AM ET');
    expect(text).toContain(`*Incident:* INC-2026-0117-1 (${incident.url})`);
    expect(text).toMatchSnapshot();
  });

  it('stays sendable with huge hostile status and next steps', () => {
    const message = rollbackComplete({
      incident: { id: huge(300), url: `https://x.example/${'a'.repeat(4000)}` },
      service: { name: 'dr-amal', displayName: huge(500) },
      target: { version: huge(300), commit: HOSTILE },
      status: huge(),
      nextSteps: Array.from({ length: 40 }, () => huge(500)),
      restoredAt: at('14:06'),
      timeZone: TZ,
    });
    expectSendable(message);
  });
});

const failedView: RollbackFailedView = {
  incident,
  service,
  outcome: 'failed',
  done: ['Production moved back to 1.9.0 (instant rollback, 3 aliases)'],
  notDone: ['Verification did not pass: production still serves 2.0.0-beta', 'ROLLBACK COMPLETE was not announced'],
  failingStep: {
    label: 'Verify production',
    error: 'Production still serves 2.0.0-beta.',
    fix: 'Check the aliases in Vercel.',
  },
  whatToDoNow: ['Open the Vercel dashboard and check the production domains', 'Run /rollback status dr-amal'],
  owner: DEVOPS,
  at: at('14:08'),
  timeZone: TZ,
};

describe('rollbackFailed', () => {
  it('says what was done, what was not, the failing step with error and fix, and what to do now', () => {
    const message = rollbackFailed(failedView);
    expectSendable(message);
    const text = renderText(message.blocks);
    expect(text).toContain('❌ ROLLBACK FAILED');
    expect(text).toContain('*What was done:*\n• Production moved back to 1.9.0');
    expect(text).toContain('*What was not done:*\n• Verification did not pass');
    expect(text).toContain('*Failing step:*\nVerify production');
    expect(text).toContain('*Fix:*\nCheck the aliases in Vercel.');
    expect(text).toContain('*What to do now:*\n• Open the Vercel dashboard');
    expect(message.text).toContain(
      '❌ ROLLBACK FAILED: Dr Amal Clinical OS (dr-amal) (INC-2026-0117-1): Verify production: Production still serves',
    );
    expect(text).toMatchSnapshot();
  });

  it('announces an unknown outcome differently', () => {
    const text = renderText(rollbackFailed({ ...failedView, outcome: 'unknown' }).blocks);
    expect(text).toContain('⚠️ ROLLBACK OUTCOME UNKNOWN');
    expect(text).toContain('check it by hand before anything is retried');
    expect(text).not.toContain('❌ ROLLBACK FAILED');
  });

  it('stays sendable with 60 done items, 60 not done, 60 things to do and a huge error', () => {
    const many = Array.from({ length: 60 }, () => huge(900));
    const message = rollbackFailed({
      ...failedView,
      done: many,
      notDone: many,
      whatToDoNow: many,
      failingStep: { label: huge(), error: huge(), fix: huge() },
    });
    expectSendable(message);
  });
});
