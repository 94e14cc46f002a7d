/**
 * From what the store holds to the view models the block builders take for the rollback's progress, completion
 * and failure. Pure: the announcer reads the records and sends what these return. The approval request's view is in
 * approval-view.ts, the follow-up checklist and post-mortem views in follow-up-views.ts.
 */
import { pullRequestLine, pullRequestOf } from './blocks/pull-request';
import type { ServiceConfig } from '../config/service-schema';
import { buildPlan, etaMinutes } from '../rollback/incident/plan';
import { postMortemBy } from '../rollback/follow-up/checklist';
import {
  type IncidentFigures,
  type Measured,
  type TimesExtra,
  incidentFigures,
  incidentTimes,
} from '../rollback/metrics/incident-times';
import type { IncidentRecord, StepRecord } from '../rollback/ports/incident-store';
import type {
  CheckResult,
  RollbackCompleteView,
  RollbackFailedView,
  RollbackInProgressView,
  StepProgress,
  TargetRef,
} from './blocks';

export const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export function serviceRef(service: ServiceConfig): { name: string; displayName?: string } {
  return { name: service.name, displayName: service.displayName };
}

/** What the incident rolls back to, from the request and the steps' outputs. */
export function targetOf(incident: IncidentRecord, steps: readonly StepRecord[]): TargetRef {
  const app = steps.find((s) => s.kind === 'application');
  const appFacts = { ...app?.input, ...app?.output };
  const code = steps.find((s) => s.kind === 'code_revert' || s.kind === 'code_reset');
  const request = incident.data.request;
  if (request.kind === 'schema') return { migration: request.target };
  if (code) return { commit: str(code.output?.head) ?? request.target };
  return {
    version: str(appFacts.version),
    commit: str(appFacts.commit)?.slice(0, 7),
    deploymentId: str(appFacts.targetId) ?? (request.target && !str(appFacts.version) ? request.target : undefined),
  };
}

export function inProgressView(
  incident: IncidentRecord,
  steps: readonly StepRecord[],
  service: ServiceConfig,
): RollbackInProgressView {
  return {
    timeZone: service.workingHours.timeZone,
    incident: { id: incident.id },
    service: serviceRef(service),
    kind: incident.data.request.kind,
    issue: incident.issue,
    trigger: incident.trigger,
    target: targetOf(incident, steps),
    etaMinutes: etaMinutes(buildPlan(incident.data.request.kind)),
    owner: incident.data.owner,
    startedAt: incident.openedAt,
  };
}

function checksOf(step: StepRecord): CheckResult[] | undefined {
  const checks = step.output?.checks;
  if (!Array.isArray(checks)) return undefined;
  return checks.map((c: Record<string, unknown>) => ({
    name: String(c.name),
    passed: Boolean(c.pass),
    status: typeof c.status === 'number' ? c.status : undefined,
    latencyMs: typeof c.latencyMs === 'number' ? c.latencyMs : undefined,
    detail: str(c.detail),
  }));
}

function detailOf(step: StepRecord): string | undefined {
  const out = step.output ?? {};
  switch (step.kind) {
    case 'application':
      return str(out.explanation) ?? (str(step.input.targetId) ? `target ${String(step.input.targetId)}` : undefined);
    case 'code_revert':
    case 'code_reset': {
      const pr = pullRequestOf(out);
      if (pr)
        return `${pullRequestLine(pr)}${str(out.head) ? `; deploy branch at ${String(out.head).slice(0, 7)}` : ''}`;
      return str(out.head)
        ? `${out.status === 'already-done' ? 'already done earlier' : 'pushed'}: ${String(out.head).slice(0, 7)}`
        : undefined;
    }
    case 'deploy':
      return str(out.explanation) ?? str(out.progress);
    case 'schema':
      return Array.isArray(out.archived)
        ? `archived ${out.archived.length} table/column copies before dropping; ${str(out.followUp) ?? ''}`
        : undefined;
    default:
      return undefined;
  }
}

export function stepProgress(incident: IncidentRecord, steps: readonly StepRecord[]): StepProgress[] {
  const titles = new Map(buildPlan(incident.data.request.kind).steps.map((s) => [s.position, s.title]));
  return steps.map((step) => ({
    position: step.position,
    kind: step.kind,
    state: step.state,
    label: titles.get(step.position) ?? step.kind,
    detail: detailOf(step),
    checks: checksOf(step),
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    error: step.error ? { message: step.error.message, fix: step.error.fix } : undefined,
  }));
}

/**
 * What a schema rollback proves: the committed transaction (migration marked
 * rolled back, copies archived) and production answering its checks after it;
 * the deployed code may still expect the new schema, so the status says so
 * instead of the runbook's "All systems operational".
 */
function schemaStatus(schema: StepRecord): string {
  const out = schema.output ?? {};
  const copies = Array.isArray(out.archived)
    ? out.archived.length
    : Array.isArray(out.archivedTables)
      ? out.archivedTables.length
      : undefined;
  const migration = str(out.migration) ?? str(schema.input.target) ?? 'the migration';
  return [
    `Schema rolled back: ${migration} is marked rolled back in _prisma_migrations`,
    copies === undefined
      ? ''
      : `; ${copies} table/column cop${copies === 1 ? 'y' : 'ies'} archived in rollback_archive`,
    '. Production answered its health and smoke checks afterwards; its code may still expect the new schema.',
  ].join('');
}

/** `measured`: what the store adds for the metrics (go-live, archives); the figures are the domain's, as everywhere. */
const inMs = (figure: Measured | undefined): number | undefined =>
  figure === undefined ? undefined : figure.value * 1000;

function footerFigures(
  figures: IncidentFigures,
): Pick<RollbackCompleteView, 'detectionMs' | 'executionMs' | 'downtimeMs' | 'dataLossRows'> {
  return {
    detectionMs: inMs(figures.detection),
    executionMs: inMs(figures.execution),
    downtimeMs: inMs(figures.downtime),
    dataLossRows: figures.dataLoss?.value,
  };
}

export function completeView(
  incident: IncidentRecord,
  steps: readonly StepRecord[],
  service: ServiceConfig,
  measured?: TimesExtra,
): RollbackCompleteView {
  const restoredAt = incident.restoredAt ?? incident.closedAt ?? incident.openedAt;
  const nextSteps: string[] = [];
  const app = steps.find((s) => s.kind === 'application');
  const pinned = app?.output?.method === 'instant-rollback';
  if (pinned)
    nextSteps.push('Production is pinned by the instant rollback: promote a fixed deployment when ready (Unpin).');
  const schema = steps.find((s) => s.kind === 'schema');
  if (str(schema?.output?.followUp)) nextSteps.push(String(schema?.output?.followUp));
  if (schema) {
    nextSteps.push(
      `Deploy code that expects the old schema (runbook step 5): /rollback ` +
        `${service.name} or /rollback revert ${service.name} <commit>, then check ` +
        `production.`,
    );
  }
  return {
    timeZone: service.workingHours.timeZone,
    incident: { id: incident.id },
    service: serviceRef(service),
    target: targetOf(incident, steps),
    status: schema ? schemaStatus(schema) : undefined,
    postMortemAt: postMortemBy(restoredAt),
    nextSteps,
    pinned,
    restoredAt,
    ...footerFigures(incidentFigures(incidentTimes(incident, measured))),
  };
}

const WHAT_NOW: Record<IncidentRecord['data']['request']['kind'], string[]> = {
  application: [
    'Open the project in Vercel → Deployments and check which deployment serves production.',
    'If production is still broken, promote the last good deployment by hand (runbook: Application Rollback).',
    'Or revert the bad commit: /rollback revert <service> <commit> (git Option A).',
  ],
  revert: [
    'Resolve the conflict or the push refusal named above by hand, then push.',
    'Or roll production back on Vercel: /rollback <service>.',
  ],
  reset: [
    'Prefer a revert (Option A): /rollback revert <service> <commit>.',
    'Check the deploy branch head before trying again.',
  ],
  schema: [
    'Nothing was dropped unless the step says it finished; the archive schema keeps every value that was.',
    'Consider a forward fix, a data repair script or a feature flag (runbook: Alternatives to Database Rollback).',
  ],
};

export function failedView(
  incident: IncidentRecord,
  steps: readonly StepRecord[],
  service: ServiceConfig,
): RollbackFailedView {
  const progress = stepProgress(incident, steps);
  const failing = progress.find((s) => s.state === 'failed' || s.state === 'unknown');
  const unknown = failing?.state === 'unknown';
  return {
    timeZone: service.workingHours.timeZone,
    incident: { id: incident.id },
    service: serviceRef(service),
    outcome: unknown ? 'unknown' : 'failed',
    done: progress.filter((s) => s.state === 'succeeded').map((s) => s.label),
    notDone: progress.filter((s) => s.state !== 'succeeded').map((s) => `${s.label} (${s.state})`),
    failingStep: failing
      ? { label: failing.label, error: failing.error?.message ?? failing.state, fix: failing.error?.fix }
      : undefined,
    whatToDoNow: unknown
      ? [
          'The bot could not confirm the outcome: the outside job may still finish. Check ' +
            'it by hand before anything else.',
          ...WHAT_NOW[incident.data.request.kind],
        ]
      : WHAT_NOW[incident.data.request.kind].map((line) => line.replace(/<service>/g, service.name)),
    owner: incident.data.owner,
    at: incident.closedAt ?? incident.openedAt,
  };
}
