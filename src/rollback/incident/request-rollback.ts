/**
 * The start of every rollback: who asks, may they, which plan, and one open
 * incident per service (a second request joins the open one). Nothing slow
 * happens here: the steps run in the runner, outside Slack's 3-second window.
 */
import { findService } from '../services';
import type { ServiceConfig } from '../../config/service-schema';
import { RollbackError } from '../errors';
import { type ServiceName, type SlackUserId, parseCommitSha, parseMigrationName } from '../ids';
import type { StepKind } from './step-state';
import { appDatabaseUrl } from './step-context';
import type {
  IncidentEvidence,
  IncidentRecord,
  NewIncidentApproval,
  NewStep,
  RollbackRequestData,
} from '../ports/incident-store';
import { approvalExpiresAt } from './approval-expiry';
import { authorize, noticeCto } from './gate';
import type { DeploymentRecords } from '../ports/store-roles';
import type { IncidentEngineDeps } from './engine-deps';
import { ROLLBACK_KINDS, buildPlan, etaMinutes } from './plan';
import { type DefaultTarget, defaultRollbackTarget } from '../last-known-good/rollback-target';
import type { LiveReleases } from '../ports/releases';

interface RollbackCommand {
  service: string;
  request: RollbackRequestData;
  actor: SlackUserId;
  /** What broke, in the runbook's words; defaults to the reason given. */
  issue?: string;
  /** What made us act; defaults to "/rollback by <user>". */
  trigger?: string;
  /**
   * The caller tells the CTO in its own words (a release aborted by the bot on a MUST): the after-hours notice,
   * which says the actor executed the rollback, is not sent.
   */
  ctoToldByCaller?: boolean;
  severity?: 'must' | 'should' | 'may';
  detectedAt?: Date;
  impactStartedAt?: Date;
  /** What detection and impact were dated from, when the bot detected it. */
  evidence?: IncidentEvidence;
}

interface RollbackAccepted {
  incident: IncidentRecord;
  created: boolean;
  /** The ephemeral answer for the person who asked. */
  message: string;
}

const KIND_WORDS = {
  application: 'application rollback',
  revert: 'git revert (Option A)',
  reset: 'git reset (Option B)',
  schema: 'schema rollback',
} as const;

/**
 * A NUL cannot be stored in PostgreSQL text; other control characters (but tab and newline) have no business in a
 * reason.
 */
const isUnstorable = (text: string): boolean =>
  [...text].some((ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x20 && ch !== '\t' && ch !== '\n' && ch !== '\r';
  });

/** Cheap checks that need no outside call; the workers check the rest (ancestry, applied state). */
function checkKind(kind: string): void {
  if (!(ROLLBACK_KINDS as readonly string[]).includes(kind)) {
    throw new RollbackError('bad_input', `"${kind.slice(0, 40)}" is not something the bot can roll back.`, {
      fix: `Choose one of: ${ROLLBACK_KINDS.join(', ')}.`,
    });
  }
}

export function checkRequest(service: ServiceConfig, request: RollbackRequestData): RollbackRequestData {
  checkKind(request.kind);
  for (const [field, value] of Object.entries(request)) {
    if (typeof value === 'string' && isUnstorable(value)) {
      throw new RollbackError(
        'bad_input',
        `The ${field} contains a control character (such as NUL) that the bot cannot store; nothing was started.`,
        { fix: 'Type it again without it.' },
      );
    }
  }
  switch (request.kind) {
    case 'revert':
    case 'reset':
      if (!request.target)
        throw new RollbackError('bad_input', `A ${KIND_WORDS[request.kind]} needs a commit.`, {
          fix: 'Give the commit id, e.g. b90de38.',
        });
      return { ...request, target: parseCommitSha(request.target) };
    case 'schema':
      if (!service.database) {
        throw new RollbackError(
          'bad_input',
          `${service.name} has no database configured, so it has no schema to roll back.`,
          {
            fix: 'Add database.urlEnv and database.migrationsDir to the service in the services file.',
          },
        );
      }
      if (!request.target)
        throw new RollbackError('bad_input', 'A schema rollback needs the migration name.', {
          fix: 'e.g. 20260117_add_ai_features',
        });
      return { ...request, target: parseMigrationName(request.target) };
    default:
      return request;
  }
}

/** How far back the deployments are read for a last known good; a handful of releases is the useful range. */
const LAST_KNOWN_GOOD_SEARCH = 50;

/**
 * An application rollback that names no target goes where the domain's
 * precedence says (rollback-target.ts): an active release's base, else the
 * newest last known good not serving now; undefined leaves it to the platform
 * (its previous production deployment).
 */
export async function chooseDefaultTarget(
  deps: { store: DeploymentRecords; liveReleases: LiveReleases },
  service: ServiceConfig,
  request: RollbackRequestData,
): Promise<DefaultTarget | undefined> {
  if (request.kind !== 'application' || request.target) return undefined;
  const [deployments, release] = await Promise.all([
    deps.store.deployments(service.name, LAST_KNOWN_GOOD_SEARCH),
    deps.liveReleases.live(service.name),
  ]);
  return defaultRollbackTarget(deployments, release);
}

/**
 * Steps that need each port; a port whose credential is unset refuses before the incident opens, not halfway through.
 */
const CODE_STEPS: ReadonlySet<StepKind> = new Set(['code_revert', 'code_reset']);
const APPLICATION_STEPS: ReadonlySet<StepKind> = new Set(['application', 'deploy', 'verification']);

async function checkAvailable(
  deps: Pick<IncidentEngineDeps, 'application' | 'code' | 'env'>,
  service: ServiceConfig,
  steps: readonly { kind: StepKind }[],
): Promise<void> {
  // The schema step reads the app database URL from database.urlEnv: unset, it would fail once the incident is open.
  if (steps.some((step) => step.kind === 'schema')) appDatabaseUrl({ deps, service });
  if (steps.some((step) => CODE_STEPS.has(step.kind))) await deps.code.checkAvailable?.(service.name as ServiceName);
  if (steps.some((step) => APPLICATION_STEPS.has(step.kind))) await deps.application.checkAvailable?.(service);
}

/**
 * During a release the bot knows of, a named application target is resolved before the incident opens: the platform
 * refuses there a target it could not move all traffic to (the canary would keep its share), not halfway through.
 */
async function checkNamedTarget(
  deps: Pick<IncidentEngineDeps, 'application' | 'liveReleases'>,
  service: ServiceConfig,
  request: RollbackRequestData,
): Promise<void> {
  if (request.kind !== 'application' || !request.target) return;
  if (await deps.liveReleases.live(service.name)) await deps.application.resolveTarget(service, request.target);
}

export async function requestRollback(deps: IncidentEngineDeps, command: RollbackCommand): Promise<RollbackAccepted> {
  const service = findService(deps.services, command.service);
  checkKind(String(command.request.kind));
  // The gate next: a person without authority learns nothing about the request's details.
  const decision = await authorize(deps, {
    service: service.name,
    actor: command.actor,
    act: { kind: 'execute', rollback: command.request.kind },
  });
  const request = checkRequest(service, command.request);
  const now = deps.clock.now();

  const plan = buildPlan(request.kind);
  try {
    await checkAvailable(deps, service, plan.steps);
    await checkNamedTarget(deps, service, request);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await deps.store.appendTimeline({
      service: service.name,
      actor: command.actor,
      kind: 'refused',
      message: reason,
      data: { request },
    });
    throw error;
  }
  const chosen = await chooseDefaultTarget(deps, service, request);
  const steps: NewStep[] = plan.steps.map((step) => ({
    position: step.position,
    kind: step.kind,
    state: step.needsApproval ? 'awaiting_approval' : 'pending',
    input: { target: request.target ?? chosen?.deploymentId ?? null },
  }));
  const reason = request.reason?.trim();
  const issue = command.issue ?? reason ?? 'Production rollback requested';
  const toDefault = chosen ? ` No target named: rolling back to ${chosen.words}.` : '';
  const incidentId = deps.ids.incidentId(now);
  const expiresAt = approvalExpiresAt(now, service.approvals.expireAfterMinutes);
  const approvals: NewIncidentApproval[] = plan.approvals.map((approval) => ({
    position: approval.position,
    approval: {
      id: `${incidentId}-A${approval.position}`,
      action: approval.action,
      requestedBy: command.actor,
      requestedAt: now,
      expiresAt,
    },
    record: {
      service: service.name,
      actor: command.actor,
      kind: 'approval_requested',
      message: `CTO approval requested for ${approval.action}, expires ${expiresAt.toISOString()}.`,
      data: { approvalId: `${incidentId}-A${approval.position}` },
    },
  }));
  const { incident, created } = await deps.store.openIncident(
    {
      id: incidentId,
      service: service.name,
      issue,
      trigger: command.trigger ?? `/rollback by <@${command.actor}>`,
      severity: command.severity,
      openedBy: command.actor,
      openedAt: now,
      detectedAt: command.detectedAt,
      impactStartedAt: command.impactStartedAt,
      decidedAt: now,
      channelId: service.slack.alertsChannel,
      data: {
        request,
        requestedBy: command.actor,
        owner: command.actor,
        ...(command.evidence ? { evidence: command.evidence } : {}),
      },
    },
    steps,
    {
      service: service.name,
      actor: command.actor,
      kind: 'opened',
      message:
        `${KIND_WORDS[request.kind]} requested as ${decision.as}: ${issue}. Decision ` +
        `tree: rollback chosen with /rollback (the runbook's ROLLBACK IMMEDIATELY); no ` +
        `hotfix question holds it up.${toDefault}`,
      data: {
        request,
        plan: plan.steps.map((s) => s.kind),
        eta: etaMinutes(plan),
        lastKnownGood: chosen?.source === 'last-known-good' ? chosen.deploymentId : null,
        releaseBase: chosen?.source === 'release-base' ? chosen.deploymentId : null,
      },
    },
    approvals,
  );

  if (!created) {
    await deps.store.appendTimeline({
      incidentId: incident.id,
      service: service.name,
      actor: command.actor,
      kind: 'joined',
      message: `A second request (${KIND_WORDS[request.kind]}) joined the open incident.`,
      data: { request },
    });
    return {
      incident,
      created,
      message:
        `${service.name} already has an open incident, ${incident.id} ` +
        `(${incident.state}); your request was added to its timeline instead of starting ` +
        `a second rollback. Follow it in <#${incident.channelId}>.`,
    };
  }

  if (!command.ctoToldByCaller) await noticeCto(deps, incident, decision, command.actor);
  await deps.announcer.announce(incident.id);
  deps.wake();
  const waiting = plan.approvals.length > 0 ? ' It waits for the CTO’s approval in the thread.' : '';
  return {
    incident,
    created,
    message:
      `${KIND_WORDS[request.kind]} of ${service.name} started as ` +
      `${incident.id}.${waiting} Follow it in <#${incident.channelId}>.`,
  };
}
