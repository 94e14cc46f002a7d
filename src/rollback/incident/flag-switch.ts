/**
 * The runbook's "Feature Flag: disable broken feature without rollback", the
 * first alternative to a database rollback. The same path serves
 * `/rollback flag`, the hotfix question's "Disable <flag>" and the schema
 * approval's alternative: the authority gate (a code rollback's authority:
 * the DevOps lead; after hours the on-call engineer, CTO notified), the
 * provider's write and read-back, then the timeline.
 *
 * A switch is recorded as timeline entries, never as an incident of its own:
 * it moves no deployment, so it must not count as a rollback (frequency,
 * execution time) nor open the post-rollback checklist. With an incident open
 * for the service the entries are that incident's (its post-mortem shows
 * them); otherwise they are the service's own entries, as gate refusals are.
 */
import type { FlagConfig, ServiceConfig } from '../../config/service-schema';
import { RollbackError, asRollbackError } from '../errors';
import type { SlackUserId } from '../ids';
import { FLAG_FAILED, FLAG_SWITCHED, type FlagOutcome, type FlagState } from '../ports/flags';
import type { IncidentRecord, TimelineRecord } from '../ports/incident-store';
import { findService } from '../services';
import type { EngineDeps } from './engine-deps';
import { claimFlagSwitch } from './flag-claim';
import { authorize } from './gate';
import { isIncidentOpen } from './incident-state';

interface FlagSwitchInput {
  readonly service: string;
  readonly flag: string;
  readonly state: FlagState;
  readonly actor: SlackUserId;
  readonly reason?: string;
  /** The incident whose button was pressed; default the service's open incident, if any. */
  readonly incidentId?: string;
}

interface FlagSwitchResult {
  /** The answer for the person who asked. */
  readonly message: string;
  readonly incidentId?: string;
  /** Undefined when nothing was written (the flag was already off). */
  readonly outcome?: FlagOutcome;
}

/** A flag's latest switch on an incident's timeline: what "Disable <flag>" shows instead of offering it again. */
export interface FlagSwitchSeen {
  readonly state: FlagState;
  readonly by: string;
  readonly at: Date;
}

/** The latest switch of each flag on a timeline (oldest first, as the store lists it), by flag name. */
export function lastSwitches(
  timeline: readonly Pick<TimelineRecord, 'kind' | 'actor' | 'at' | 'data'>[],
): Map<string, FlagSwitchSeen> {
  const out = new Map<string, FlagSwitchSeen>();
  for (const entry of timeline) {
    const { flag, state } = entry.data;
    if (entry.kind !== FLAG_SWITCHED || typeof flag !== 'string' || (state !== 'on' && state !== 'off')) continue;
    out.set(flag, { state, by: entry.actor, at: entry.at });
  }
  return out;
}

export function findFlag(service: ServiceConfig, name: string): FlagConfig {
  const flag = service.flags.find((f) => f.name === name.toLowerCase());
  if (flag) return flag;
  const known = service.flags.map((f) => `\`${f.name}\``).join(', ');
  throw new RollbackError(
    'not_found',
    `${service.name} has no feature flag \`${name.slice(0, 64)}\`; nothing was changed.`,
    {
      fix: known
        ? `Its flags: ${known}.`
        : `It has no flags yet: add them under \`flags:\` of ${service.name} in the services file.`,
    },
  );
}

const words = (text: string): string =>
  ` ${text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;

/** The flags whose name, description or feature words the text names (an alert, a trigger, a reason). */
export function flagsNamedBy(service: ServiceConfig, text: string): FlagConfig[] {
  const haystack = words(text);
  return service.flags.filter((flag) =>
    [flag.name, flag.description, ...flag.features].some((term) => {
      const needle = words(term);
      return needle.trim().length >= 2 && haystack.includes(needle);
    }),
  );
}

/** The open incident the switch belongs to; `closed` when the button pressed was on one already over. */
async function incidentFor(
  deps: EngineDeps,
  service: string,
  id?: string,
): Promise<{ open?: IncidentRecord; closed?: IncidentRecord }> {
  const incident = id ? await deps.store.getIncident(id) : await deps.store.findOpenIncident(service);
  if (!incident || incident.service !== service) return {};
  return isIncidentOpen(incident.state) ? { open: incident } : { closed: incident };
}

const readBackWords = (outcome: FlagOutcome): string =>
  `${outcome.readBackFrom === 'edge' ? 'where the app reads it' : "from Vercel's API"} after ` +
  `${(outcome.shownAfterMs / 1000).toFixed(1)} s`;

export async function switchFlag(deps: EngineDeps, input: FlagSwitchInput): Promise<FlagSwitchResult> {
  const service = findService(deps.services, input.service);
  const flag = findFlag(service, input.flag);
  const { open: incident, closed } = await incidentFor(deps, service.name, input.incidentId);
  const act = { kind: 'flag', flag: flag.name, state: input.state } as const;
  const granted = await authorize(deps, { service: service.name, actor: input.actor, act, incidentId: incident?.id });
  if (!deps.flags) {
    throw new RollbackError('config_invalid', 'This deployment of rollback-bot has no feature-flag provider wired.', {
      fix: 'Start the bot with the default adapters (rollback-bot start), which include the Edge Config flags.',
    });
  }
  const where = { ...(incident ? { incidentId: incident.id } : {}), service: service.name, actor: input.actor };
  // On the bot's clock, as every figure of the metrics is.
  const at = (): { at: Date } => ({ at: deps.clock.now() });
  const facts = { flag: flag.name, state: input.state, reason: input.reason ?? null, as: granted.as };
  const claimed = await claimFlagSwitch(deps, {
    service,
    flag,
    state: input.state,
    actor: input.actor,
    ...(incident ? { incidentId: incident.id } : {}),
  });
  if ('refused' in claimed) return { message: claimed.refused, incidentId: incident?.id };
  const end = (status: 'done' | 'failed'): Promise<void> =>
    deps.store.endFlagSwitch({ service: service.name, flag: flag.name, token: claimed.token, status, ...at() });
  let outcome: FlagOutcome;
  try {
    outcome = await deps.flags.set({ service, flag, state: input.state });
    await end('done');
  } catch (error) {
    const failure = asRollbackError(error);
    await end('failed');
    await deps.store.appendTimeline({
      ...where,
      ...at(),
      kind: FLAG_FAILED,
      message: `Turning the feature flag ${flag.name} ${input.state} failed: ${failure.explain()}`,
      data: { ...facts, code: failure.code },
    });
    throw failure;
  }
  const summary = `<@${input.actor}> turned the feature flag ${flag.name} (${flag.description}) ${input.state}`;
  await deps.store.appendTimeline({
    ...where,
    ...at(),
    kind: FLAG_SWITCHED,
    message: `${summary}; read back ${readBackWords(outcome)}.${input.reason ? ` Reason: ${input.reason}` : ''}`,
    data: { ...facts, value: outcome.value, readBackFrom: outcome.readBackFrom, reads: outcome.reads },
  });
  if (granted.notifyCtoAsync) {
    await deps.store.appendTimeline({
      ...where,
      ...at(),
      actor: 'rollback-bot',
      kind: 'cto_notified',
      message: `Outside working hours: the on-call engineer turned ${flag.name} ${input.state}; the CTO was notified.`,
    });
  }
  await deps.announcer.flagSwitched({
    service: service.name,
    flag: flag.name,
    description: flag.description,
    state: input.state,
    actor: input.actor,
    reason: input.reason,
    incidentId: incident?.id,
    outcome,
    at: deps.clock.now(),
    notifyCto: granted.notifyCtoAsync ? granted.roles.cto : [],
  });
  const after = incident
    ? ` Recorded on incident ${incident.id}.`
    : closed
      ? ` Incident ${closed.id} is ${closed.state}, so this is recorded on the service timeline ` +
        'and counted outside incidents.'
      : ' Recorded on the service timeline.';
  const cto = granted.notifyCtoAsync ? ' The CTO was notified (after hours).' : '';
  return {
    message: `✅ ${summary}: it reads ${JSON.stringify(outcome.value)} ${readBackWords(outcome)}.${after}${cto}`,
    incidentId: incident?.id,
    outcome,
  };
}

/** "Disable <flag>" on an incident's message: the flag of that incident's service, turned off. */
export async function disableFromIncident(
  deps: EngineDeps,
  input: { incidentId: string; flag: string; actor: SlackUserId },
): Promise<FlagSwitchResult> {
  const incident = await deps.store.getIncident(input.incidentId);
  if (!incident) {
    throw new RollbackError('not_found', `Incident ${input.incidentId.slice(0, 40)} is unknown; nothing was changed.`, {
      fix: 'Use `/rollback flag <service> <flag> off` instead.',
    });
  }
  // An old message (or a second person) pressed again is answered by the switch's claim: no second write.
  const reason = `Disabled from incident ${incident.id} (${incident.issue})`;
  return switchFlag(deps, {
    service: incident.service,
    flag: input.flag,
    state: 'off',
    actor: input.actor,
    reason,
    incidentId: incident.id,
  });
}
