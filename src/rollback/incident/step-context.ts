/**
 * What a step's executor is given (the incident, the step, the service, the
 * earlier steps' outputs, the lease) and what it returns, with the helpers the
 * executors share: the lease check before a side effect, the recorded approval,
 * the app database URL, and a failure worded for the step's record.
 */
import type { ServiceConfig } from '../../config/service-schema';
import { RollbackError, asRollbackError } from '../errors';
import type { SlackUserId } from '../ids';
import type { RecordedApproval } from '../ports/approval';
import type { IncidentRecord, StepError, StepRecord } from '../ports/incident-store';
import type { IncidentEngineDeps } from './engine-deps';
import type { HeldLease } from './step-lease';

export interface StepOutcome {
  event: 'succeed' | 'fail' | 'lose_track';
  output: Record<string, unknown>;
  error?: StepError;
}

export interface StepContext {
  deps: IncidentEngineDeps;
  incident: IncidentRecord;
  step: StepRecord;
  service: ServiceConfig;
  /** Outputs of the earlier steps, by kind. */
  earlier: Partial<Record<StepRecord['kind'], Record<string, unknown>>>;
  /** The worker's lease on the step: checked before each side effect, its token fences the step's writes. */
  lease?: Pick<HeldLease, 'token' | 'check'>;
}

/** Stops before a side effect when this worker may no longer own the step. */
export const stillOwned = (ctx: StepContext): void => ctx.lease?.check();

export function stepError(error: unknown): StepError {
  const failure = asRollbackError(error);
  return { code: failure.code, message: failure.message, fix: failure.fix };
}

export const fail = (output: Record<string, unknown>, message: string, fix?: string): StepOutcome => ({
  event: 'fail',
  output,
  error: { code: 'external', message, fix },
});

export async function recordedApproval(ctx: StepContext): Promise<RecordedApproval | undefined> {
  const approvals = await ctx.deps.store.approvalsFor(ctx.incident.id);
  const approval = approvals.find((a) => a.stepId === ctx.step.id && a.decision === 'approved');
  if (!approval?.decidedBy || !approval.decidedAt) return undefined;
  return {
    approvalId: approval.id,
    incidentId: approval.incidentId,
    action: approval.action,
    approvedBy: approval.decidedBy as SlackUserId,
    role: 'cto',
    approvedAt: approval.decidedAt,
    expiresAt: approval.expiresAt,
  };
}

export function appDatabaseUrl(ctx: { deps: Pick<IncidentEngineDeps, 'env'>; service: ServiceConfig }): string {
  const name = ctx.service.database?.urlEnv;
  const url = name ? ctx.deps.env[name] : undefined;
  if (!url) {
    throw new RollbackError('bad_input', `The app database URL is not set (${name ?? 'database.urlEnv'}).`, {
      fix: `Set ${name ?? 'the variable named by database.urlEnv'} in the bot's environment.`,
    });
  }
  return url;
}
