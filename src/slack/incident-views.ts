/**
 * From what the store holds to the view models the block builders take.
 * Pure: the announcer reads the records and sends what these return.
 */
import { type FlagSwitchSeen, flagsNamedBy } from '../rollback/incident/flag-switch';
import type { FlagOffer } from './blocks/flag-switched';
import { pullRequestLine, pullRequestOf } from './blocks/pull-request';
import type { ServiceConfig } from '../config/service-schema';
import { buildPlan, etaMinutes } from '../rollback/incident/plan';
import { type FollowUpItem, postMortemBy } from '../rollback/follow-up/checklist';
import { postMortemDraft } from '../rollback/follow-up/post-mortem-draft';
import {
  type IncidentFigures,
  type Measured,
  type TimesExtra,
  incidentFigures,
  incidentTimes,
} from '../rollback/metrics/incident-times';
import type {
  ApprovalRecord,
  IncidentRecord,
  MetricsInput,
  StepRecord,
  TimelineRecord,
} from '../rollback/ports/incident-store';
import type { LossEstimate } from '../rollback/ports/schema';
import type { FollowUpChecklistView } from './blocks/follow-up-checklist';
import type { PostMortemView } from './blocks/post-mortem';
import type {
  ApprovalRequestView,
  CheckResult,
  RollbackCompleteView,
  RollbackFailedView,
  RollbackInProgressView,
  StepProgress,
  TargetRef,
} from './blocks';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

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

/** The shadow check's verdict, as the approver must see it before approving. */
function shadowVerdict(plan: {
  verifiedWithData?: boolean;
  shadowDifferences?: string[];
  sampledRows?: { table: { name: string }; rows: number }[];
}): string {
  const rows = (plan.sampledRows ?? []).map((s) => `${s.table.name} ${s.rows}`).join(', ') || 'no rows';
  if (plan.verifiedWithData)
    return `Shadow check with live rows (${rows}): verified, the schema and every sampled value came back.`;
  return (
    `Shadow check with live rows (${rows}): NOT verified: ` +
    `${(plan.shadowDifferences ?? []).join('; ') || 'no verdict'}`
  );
}

export function approvalView(
  incident: IncidentRecord,
  approval: ApprovalRecord,
  step: StepRecord | undefined,
  service: ServiceConfig,
  switches?: ReadonlyMap<string, FlagSwitchSeen>,
): ApprovalRequestView {
  const kind = approval.action === 'git-reset' ? 'reset' : 'schema';
  const plan = step?.input.plan as
    | {
        dataLoss?: LossEstimate[];
        alternatives?: string[];
        risks?: string[];
        irreversible?: { statement: string; reason: string }[];
        steps?: { sql: string }[];
        source?: { origin: string; description: string };
        verifiedWithData?: boolean;
        shadowDifferences?: string[];
        sampledRows?: { table: { name: string }; rows: number }[];
      }
    | undefined;
  const state: ApprovalRequestView['state'] =
    approval.decision === 'pending'
      ? { status: 'pending' }
      : approval.decision === 'expired'
        ? { status: 'expired', at: approval.expiresAt }
        : {
            status: approval.decision,
            by: approval.decidedBy ?? 'unknown',
            at: approval.decidedAt ?? approval.expiresAt,
          };
  const target = incident.data.request.target ?? '';
  return {
    timeZone: service.workingHours.timeZone,
    approvalId: approval.id,
    incident: { id: incident.id },
    service: serviceRef(service),
    kind,
    target,
    planSteps: plan?.steps?.map((s) => s.sql) ?? buildPlan(kind).steps.map((s) => s.title),
    dataLoss: kind === 'schema' ? plan?.dataLoss : [],
    dataLossNote:
      kind === 'reset'
        ? 'History after the target commit is removed from the deploy branch (kept in the bot’s clone and in reflogs).'
        : undefined,
    notes: [
      // Where the inverse's SQL came from matters when it is not the serving commit's folder (after an application
      // rollback).
      ...(plan?.source && plan.source.origin !== 'folder' ? [`Migration SQL: ${plan.source.description}`] : []),
      ...(plan?.alternatives ?? []).map((a) => `Alternative: ${a}`),
      ...(plan?.risks ?? []),
      ...(plan?.irreversible ?? []).map((i) => `Cannot be undone: ${i.statement} (${i.reason})`),
      ...(plan ? [shadowVerdict(plan)] : []),
    ],
    requestedBy: approval.requestedBy,
    reason: incident.data.request.reason,
    requestedAt: approval.requestedAt,
    expiresAt: approval.expiresAt,
    state,
    retryCommand: `/rollback ${kind} ${service.name} ${target}`,
    ...(kind === 'schema'
      ? { flags: flagOffers(incident, service, switches), flagNames: service.flags.map((f) => f.name) }
      : {}),
  };
}

/**
 * The service's flags the incident names (its issue, trigger, reason, target): what "Disable <flag>" offers;
 * one whose latest switch on the incident (`switches`, from its timeline) is off carries who turned it off and when.
 */
export function flagOffers(
  incident: IncidentRecord,
  service: ServiceConfig,
  switches: ReadonlyMap<string, FlagSwitchSeen> = new Map(),
): FlagOffer[] {
  const { reason, target } = incident.data.request;
  const features = incident.data.features ?? [];
  const text = [incident.issue, incident.trigger, reason ?? '', target ?? '', ...features].join(' ');
  return flagsNamedBy(service, text).map((flag) => {
    const last = switches.get(flag.name);
    const off = last?.state === 'off' ? { off: { by: last.by, at: last.at } } : {};
    return { name: flag.name, description: flag.description, ...off };
  });
}

export function checklistView(
  incident: IncidentRecord,
  items: readonly FollowUpItem[],
  service: ServiceConfig,
): FollowUpChecklistView {
  return {
    timeZone: service.workingHours.timeZone,
    incident: { id: incident.id },
    service: serviceRef(service),
    restoredAt: incident.restoredAt ?? incident.closedAt ?? incident.openedAt,
    owner: incident.data.owner,
    items,
  };
}

/** What was live when it broke: the deployment rolled back from, the reverted commit, or the migration. */
export function badVersionOf(incident: IncidentRecord, steps: readonly StepRecord[]): string | undefined {
  const app = steps.find((s) => s.kind === 'application');
  const version = str(app?.input.fromVersion);
  const commit = str(app?.input.fromCommit)?.slice(0, 7);
  if (version || commit) return version && commit ? `${version} (commit ${commit})` : (version ?? `commit ${commit}`);
  const request = incident.data.request;
  if ((request.kind === 'revert' || request.kind === 'reset') && request.target)
    return `commit ${request.target.slice(0, 7)}`;
  if (request.kind === 'schema' && request.target) return `migration ${request.target}`;
  return str(app?.input.fromDeploymentId);
}

/** The draft leaves out the checklist's own ticks and reminders: they come after the incident it describes. */
export function postMortemView(
  incident: IncidentRecord,
  steps: readonly StepRecord[],
  timeline: readonly TimelineRecord[],
  measured: MetricsInput | undefined,
  service: ServiceConfig,
): PostMortemView {
  const restoredAt = incident.restoredAt ?? incident.closedAt ?? incident.openedAt;
  return {
    timeZone: service.workingHours.timeZone,
    incident: { id: incident.id },
    service: serviceRef(service),
    meetingBy: postMortemBy(restoredAt),
    markdown: postMortemDraft({
      incident,
      timeline: timeline.filter((entry) => !entry.kind.startsWith('follow_up')),
      deployedAt: measured?.deployedAt,
      badVersion: badVersionOf(incident, steps),
      archives: measured?.archives,
    }),
  };
}
