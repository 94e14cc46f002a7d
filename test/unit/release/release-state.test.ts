import { RollbackError } from '../../../src/rollback/errors';
import { progressOf } from '../../../src/rollback/release/release';
import { releasePlan } from '../../../src/rollback/release/release-plan';
import { transition } from '../../../src/rollback/release/release-state';
import { releaseStableDecision } from '../../../src/rollback/release/release-stable';
import { exampleService } from '../../support/services';

describe('a release moves only as the runbook allows', () => {
  it('pauses, resumes, asks for approval, aborts and completes; nothing moves an ended release', () => {
    expect(transition('watching', 'pause')).toBe('paused');
    expect(transition('paused', 'resume')).toBe('watching');
    expect(transition('watching', 'ask_approval')).toBe('awaiting_approval');
    expect(transition('awaiting_approval', 'approve')).toBe('watching');
    expect(transition('paused', 'abort')).toBe('aborting');
    expect(transition('aborting', 'aborted')).toBe('aborted');
    expect(() => transition('aborted', 'resume')).toThrow(RollbackError);
    expect(() => transition('completed', 'abort')).toThrow('The release is over (completed); it cannot abort now.');
    expect(() => transition('paused', 'advance')).toThrow('The release is paused; it cannot advance now.');
  });

  it('reports stage, share, elapsed and remaining time', () => {
    const stages = releasePlan(exampleService()).stages;
    const stageStartedAt = new Date('2026-01-18T04:00:00Z');
    expect(progressOf({ stages, stageIndex: 1, stageStartedAt }, new Date('2026-01-18T04:12:30Z'))).toEqual({
      stage: 2,
      stageCount: 3,
      percent: 50,
      elapsedMinutes: 12,
      remainingMinutes: 18,
      final: false,
    });
  });

  it('makes the released deployment last known good only 24 hours after 100% without an incident', () => {
    const completedAt = new Date('2026-01-18T05:00:00Z');
    const serving = { service: 'web', deploymentId: 'dpl_1', servedFrom: new Date('2026-01-18T04:00:00Z') };
    const at = (h: number) => new Date(completedAt.getTime() + h * 3_600_000);
    const decision = (now: Date, incidents = [] as { id: string; openedAt: Date; open: boolean }[]) =>
      releaseStableDecision({ serving, completedAt, stableHours: 24, serviceAfterMinutes: 60, incidents, now });
    expect(decision(at(23))).toMatchObject({ promote: false, reason: expect.stringContaining('1380 of 1440 minutes') });
    expect(decision(at(24)).promote).toBe(true);
    expect(decision(at(30), [{ id: 'inc_1', openedAt: at(2), open: false }]).promote).toBe(false);
  });
});
