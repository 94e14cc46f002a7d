/**
 * What each kind of step does, through the ports. Each returns the event that
 * ends the step (succeed, fail, or lose_track for "unknown") with its output;
 * the runner stores it. Every executor is safe to call again after a crash:
 * the workers recognise their own earlier work (alias request, revert trailer,
 * rolled_back_at) instead of repeating it.
 */
import { RollbackError } from '../errors';
import type { CommitSha, IncidentId, MigrationName, ServiceName, SlackUserId } from '../ids';
import type { StepRecord } from '../ports/incident-store';
import type { SchemaRollbackPlan } from '../ports/schema';
import type { PushedCommit } from '../ports/code';
import { pullRequestReporter, revertContext } from './revert-context';
import {
  type StepContext,
  type StepOutcome,
  appDatabaseUrl,
  fail,
  recordedApproval,
  stepError,
  stillOwned,
} from './step-context';
import { deployReporter } from './step-progress';

async function application(ctx: StepContext): Promise<StepOutcome> {
  const { deps, service, incident, step } = ctx;
  const known = step.input.targetId as string | undefined;
  const resolved = await deps.application.resolveTarget(
    service,
    known ?? (step.input.target as string | undefined) ?? undefined,
  );
  // "From" is what served production when the step first ran: a run again after a crash may find the target already
  // live.
  const first = known ? step.input : {};
  const facts = {
    targetId: resolved.target.id,
    version: resolved.target.version ?? null,
    commit: resolved.toCommit ?? null,
    fromCommit: first.fromCommit ?? resolved.fromCommit ?? null,
    fromDeploymentId: first.fromDeploymentId ?? resolved.current.id,
    fromVersion: first.fromVersion ?? resolved.current.version ?? null,
  };
  if (!known)
    await deps.store.moveStep(step.id, 'running', 'running', {
      input: { ...step.input, ...facts },
      fence: ctx.lease?.token,
    });
  for (const seen of [resolved.current, resolved.target]) {
    await deps.store.recordDeployment({
      service: service.name,
      deploymentId: seen.id,
      url: seen.url,
      commitSha: seen.commitSha,
      version: seen.version,
      servedFrom: seen.liveSince ?? seen.createdAt,
    });
  }
  stillOwned(ctx);
  const moved = await deps.application.moveProduction({
    incidentId: incident.id as IncidentId,
    service,
    targetId: resolved.target.id,
    notBefore: incident.openedAt,
  });
  const output = {
    ...facts,
    method: moved.method,
    status: moved.status,
    failedAliases: [...moved.failedAliases],
    explanation: moved.explanation,
  };
  switch (moved.status) {
    case 'succeeded':
    case 'already-live':
      return { event: 'succeed', output };
    case 'unknown':
      return {
        event: 'lose_track',
        output,
        error: {
          code: 'timeout',
          message: 'Vercel had not finished moving every production domain by the deadline.',
          fix: 'Check the project in Vercel: the job goes on server-side.',
        },
      };
    default:
      return fail(
        output,
        moved.failedAliases.length > 0
          ? `Vercel could not move: ${moved.failedAliases.join(', ')}.`
          : `Vercel answered ${moved.status}.`,
        moved.explanation,
      );
  }
}

async function verification(ctx: StepContext): Promise<StepOutcome> {
  const app = ctx.earlier.application;
  const deployed = ctx.earlier.deploy;
  const known = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const expected = app
    ? {
        version: known(app.version),
        commitSha: known(app.commit),
        notVersion: known(app.fromVersion),
        notCommitSha: known(app.fromCommit),
      }
    : deployed
      ? { commitSha: known(deployed.commitSha) }
      : { appNotMoved: true };
  const report = await ctx.deps.application.verify(ctx.service, expected);
  const output = {
    passed: report.passed,
    url: report.url,
    attempts: report.attempts,
    checks: report.checks.map((c) => ({
      name: c.name,
      kind: c.kind,
      pass: c.pass,
      status: c.status ?? null,
      latencyMs: Math.round(c.latencyMs),
      detail: c.detail,
    })),
  };
  if (report.passed) {
    // Production verified on this deployment: it is the runbook's "last known good" again.
    if (app && typeof app.targetId === 'string') {
      await ctx.deps.store.markLastKnownGood(
        ctx.service.name,
        app.targetId,
        ctx.deps.clock.now(),
        `restored by ${ctx.incident.id}`,
      );
    }
    return { event: 'succeed', output };
  }
  const failed = report.failedCheck;
  return fail(
    output,
    `Verification failed: ${failed ? `${failed.name} (${failed.detail})` : 'a check did not pass'}.`,
    'Production may still be broken: look at the failing check before anything else.',
  );
}

async function codeRevert(ctx: StepContext): Promise<StepOutcome> {
  stillOwned(ctx);
  const result = await ctx.deps.code.revert({
    service: ctx.service.name as ServiceName,
    incidentId: ctx.incident.id as IncidentId,
    requestedBy: ctx.incident.data.requestedBy as SlackUserId,
    target: { commit: String(ctx.step.input.target) },
    ...(ctx.service.git.via === 'pull-request'
      ? { context: await revertContext(ctx), onProgress: pullRequestReporter(ctx) }
      : {}),
  });
  const pullRequest = result.pullRequest ? { pullRequest: result.pullRequest } : {};
  return {
    event: 'succeed',
    output: { ...pushedOutput(result), reverted: [...result.reverted], ...pullRequest },
  };
}

/** A pushed commit as a code step records it; the deploy step reads `head` and `workTree` from it. */
function pushedOutput(result: PushedCommit): Record<string, string> {
  const { commit, head, previousHead, workTree, status } = result;
  return { commit, head, previousHead, workTree, status };
}

async function codeReset(ctx: StepContext): Promise<StepOutcome> {
  stillOwned(ctx);
  const result = await ctx.deps.code.reset({
    service: ctx.service.name as ServiceName,
    incidentId: ctx.incident.id as IncidentId,
    requestedBy: ctx.incident.data.requestedBy as SlackUserId,
    target: String(ctx.step.input.target),
    approval: await recordedApproval(ctx),
  });
  return {
    event: 'succeed',
    output: { ...pushedOutput(result), discarded: [...result.discarded] },
  };
}

async function deploy(ctx: StepContext): Promise<StepOutcome> {
  const pushed = ctx.earlier.code_revert ?? ctx.earlier.code_reset;
  const head = pushed?.head as CommitSha | undefined;
  if (!head)
    throw new RollbackError('internal', 'No pushed commit to deploy.', { fix: 'The code step must run first.' });
  stillOwned(ctx);
  // "READY, production domains not yet assigned" and the build's other states are shown in the thread as they come.
  const reporter = deployReporter(ctx);
  const result = await ctx.deps.application
    .deployCommit({
      service: ctx.service,
      commitSha: head,
      sourceDir: pushed?.workTree as string | undefined,
      onProgress: reporter.onProgress,
    })
    .finally(reporter.settled);
  const output = {
    method: result.method,
    state: result.state,
    deploymentId: result.deploymentId ?? null,
    url: result.url ?? null,
    commitSha: result.commitSha,
    live: result.live,
    explanation: result.explanation,
  };
  if (result.state === 'READY' && result.live) return { event: 'succeed', output };
  if (result.state === 'timeout')
    return { event: 'lose_track', output, error: { code: 'timeout', message: result.explanation } };
  return fail(output, result.explanation);
}

async function schema(ctx: StepContext): Promise<StepOutcome> {
  const plan = ctx.step.input.plan as SchemaRollbackPlan | undefined;
  if (!plan)
    throw new RollbackError('conflict', 'The schema rollback has no approved plan.', {
      fix: 'Ask again with /rollback schema.',
    });
  stillOwned(ctx);
  const result = await ctx.deps.schema.execute({
    databaseUrl: appDatabaseUrl(ctx),
    plan: { ...plan, migrationName: plan.migrationName as MigrationName },
    approval: await recordedApproval(ctx),
    incidentId: ctx.incident.id,
  });
  return {
    event: 'succeed',
    output: {
      migration: result.migrationName,
      archived: result.archived.map((a) => ({ ...a })),
      statementsRun: result.statementsRun,
      followUp: result.followUp,
    },
  };
}

const EXECUTORS: Record<StepRecord['kind'], (ctx: StepContext) => Promise<StepOutcome>> = {
  application,
  verification,
  code_revert: codeRevert,
  code_reset: codeReset,
  deploy,
  schema,
};

export async function executeStep(ctx: StepContext): Promise<StepOutcome> {
  try {
    return await EXECUTORS[ctx.step.kind](ctx);
  } catch (error) {
    return { event: 'fail', output: {}, error: stepError(error) };
  }
}
