/**
 * `/rollback plan …`: what a rollback would do, without doing it. Reads Vercel,
 * git and the app database; changes nothing.
 */
import { findService } from '../services';
import type { CommitSha, MigrationName, ServiceName } from '../ids';
import type { LossEstimate } from '../ports/schema';
import type { IncidentEngineDeps } from './engine-deps';
import { buildPlan, type RollbackPlan } from './plan';
import { checkRequest, chooseDefaultTarget } from './request-rollback';
import type { RollbackRequestData } from '../ports/incident-store';
import { appDatabaseUrl } from './step-context';

interface DryRun {
  service: string;
  plan: RollbackPlan;
  target: string;
  alreadyLive: boolean;
  /** Migrations applied in production that the target does not have. */
  migrationsBetween: string[];
  dataLoss: LossEstimate[];
  notes: string[];
}

export async function dryRun(deps: IncidentEngineDeps, serviceName: string, raw: RollbackRequestData): Promise<DryRun> {
  const service = findService(deps.services, serviceName);
  const request = checkRequest(service, raw);
  const plan = buildPlan(request.kind);
  const result: DryRun = {
    service: service.name,
    plan,
    target: request.target ?? 'last known good',
    alreadyLive: false,
    migrationsBetween: [],
    dataLoss: [],
    notes: [],
  };
  if (request.kind === 'application') {
    // The target the rollback itself would take (an active release's base, the last known good, the platform's).
    const chosen = await chooseDefaultTarget(deps, service, request);
    const resolved = await deps.application.resolveTarget(service, request.target ?? chosen?.deploymentId);
    result.target =
      `${resolved.target.version ?? resolved.target.id} (commit ` +
      `${resolved.toCommit?.slice(0, 7) ?? 'unknown'}, ${resolved.target.id})`;
    result.alreadyLive = resolved.alreadyLive;
    if (resolved.fromCommit && resolved.toCommit && resolved.fromCommit !== resolved.toCommit) {
      const diff = await deps.code.migrationsBetween(
        service.name as ServiceName,
        resolved.fromCommit,
        resolved.toCommit,
      );
      result.migrationsBetween = [...diff.onlyAtFrom];
      if (diff.onlyAtFrom.length > 0) {
        result.notes.push(
          'The target is older than these migrations: its code may expect the old schema. ' +
            'Schema changes are not rolled back by an application rollback (see /rollback ' +
            'schema).',
        );
      }
    }
    result.notes.push(
      service.vercel.rollbackMethod === 'instant-rollback'
        ? 'Instant rollback: production serves the old build with its old environment ' +
            'variables; new pushes stop reaching production until someone promotes.'
        : 'Promote: the target deployment becomes production again.',
    );
  }
  if (request.kind === 'schema') {
    const production = await deps.application.describeProduction(service);
    const commit = (production.current.commitSha ??
      (await deps.code.branchHead(service.name as ServiceName))) as CommitSha;
    const folder = await deps.code.exportMigrations(service.name as ServiceName, commit);
    try {
      const schemaPlan = await deps.schema.planRollback({
        databaseUrl: appDatabaseUrl({ deps, service }),
        migrationsDir: folder.dir,
        migrationName: request.target as MigrationName,
        elsewhere: folder.elsewhere,
      });
      result.dataLoss = [...schemaPlan.dataLoss];
      result.notes.push(
        ...schemaPlan.alternatives.map((a) => `Alternative: ${a}`),
        ...schemaPlan.risks,
        ...schemaPlan.irreversible.map((i) => `Cannot be undone: ${i.statement} (${i.reason})`),
        ...schemaPlan.blockers.map((b) => `Blocked: ${b}`),
      );
    } finally {
      await folder.cleanup();
    }
  }
  if (request.kind === 'reset')
    result.notes.push('The runbook recommends git revert (Option A): a reset rewrites the deploy branch history.');
  return result;
}
