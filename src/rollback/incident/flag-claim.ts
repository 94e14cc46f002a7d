/**
 * One switch of a flag at a time, on every replica: before the provider is
 * written, the switch claims the flag's row in PostgreSQL (a compare-and-set,
 * see FlagSwitchClaims). A second press of "Disable <flag>", or a
 * `/rollback flag ... off` while the press is still reading back, is told the
 * switch is in progress; one after it is told the flag is already off. "Already"
 * is believed only when the provider agrees: a flag turned back on outside the
 * bot is switched again.
 */
import type { FlagConfig, ServiceConfig } from '../../config/service-schema';
import type { Logger } from '../../logger';
import { asRollbackError } from '../errors';
import { readable } from '../follow-up/follow-through';
import type { FlagPort, FlagReadOptions, FlagState, FlagSwitchRecord } from '../ports/flags';
import type { EngineDeps } from './engine-deps';

/** What the provider holds now; 'unknown' (and the reason logged) when it cannot be read. */
export async function readFlagState(
  deps: { flags?: FlagPort; logger: Logger },
  service: ServiceConfig,
  flag: FlagConfig,
  options?: FlagReadOptions,
): Promise<FlagState | 'unknown'> {
  if (!deps.flags) return 'unknown';
  try {
    return (await deps.flags.read(service, flag, options)).state;
  } catch (error) {
    const failure = asRollbackError(error);
    deps.logger.warn(
      { err: failure, service: service.name, flag: flag.name },
      `could not read the feature flag ${flag.name} at its provider: ${failure.explain()}`,
    );
    return 'unknown';
  }
}

interface ClaimInput {
  readonly service: ServiceConfig;
  readonly flag: FlagConfig;
  readonly state: FlagState;
  readonly actor: string;
  readonly incidentId?: string;
}

/** Room for the write and its read-back before a claim counts as a replica that died mid-switch. */
const CLAIM_MARGIN_MS = 60_000;

function refusal(input: ClaimInput, current: FlagSwitchRecord): string {
  const when = readable(current.at, input.service.workingHours.timeZone);
  const flag = input.flag.name;
  if (current.status === 'switching') {
    return (
      `${flag} is being turned ${current.state} right now by <@${current.actor}> (since ${when}); ` +
      'nothing was changed. The result follows in the thread.'
    );
  }
  const where = current.incidentId ? ` on incident ${current.incidentId}` : '';
  const by = `<@${current.actor}> turned it ${current.state} at ${when}${where}`;
  return `${flag} is already ${current.state}: ${by}; nothing was changed.`;
}

/** The claim's token, or the words that say why there is nothing to do. */
export async function claimFlagSwitch(
  deps: Pick<EngineDeps, 'store' | 'clock' | 'flags' | 'logger'>,
  input: ClaimInput,
): Promise<{ token: string } | { refused: string }> {
  const at = deps.clock.now();
  const claim = {
    service: input.service.name,
    flag: input.flag.name,
    state: input.state,
    actor: input.actor,
    at,
    ...(input.incidentId ? { incidentId: input.incidentId } : {}),
    staleBefore: new Date(at.getTime() - input.flag.readBackSeconds * 1000 - CLAIM_MARGIN_MS),
  };
  const first = await deps.store.claimFlagSwitch({ ...claim, force: false });
  if ('token' in first) return first;
  const { current } = first;
  if (current.status !== 'done' || current.state !== input.state) return { refused: refusal(input, current) };
  // The bot turned it so last; switch again only when the provider says otherwise (or cannot say).
  if ((await readFlagState(deps, input.service, input.flag)) === input.state)
    return { refused: refusal(input, current) };
  const forced = await deps.store.claimFlagSwitch({ ...claim, force: true });
  return 'token' in forced ? forced : { refused: refusal(input, forced.current) };
}
