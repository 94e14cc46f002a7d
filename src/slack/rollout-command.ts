/**
 * `/rollout` text to a request: start a release of a service (optionally
 * naming the deployment or commit, optionally with the CTO's override of the
 * preflight and/or deploy-window gate and its reason), or status, pause,
 * resume, abort of the release under way.
 */
export const ROLLOUT_USAGE = [
  "*/rollout* drives a progressive release (the runbook's 10% → 50% → 100%, each watched 30 minutes):",
  '• `/rollout <service> [<deployment|commit>]`: start a release (default: the newest READY production deployment)',
  '• `/rollout <service> [<candidate>] override preflight|window|preflight,window <reason>`: a CTO override',
  '• `/rollout status|pause|resume|abort <service>`',
].join('\n');

type OverrideGate = 'preflight' | 'deploy-window';

export type RolloutRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'status' | 'pause' | 'resume' | 'abort'; readonly service: string }
  | {
      readonly kind: 'start';
      readonly service: string;
      readonly candidate: string | undefined;
      readonly overrides: readonly OverrideGate[];
      readonly reason: string | undefined;
    };

type RolloutParse =
  { readonly ok: true; readonly request: RolloutRequest } | { readonly ok: false; readonly problem: string };

const GATE_NAMES: Record<string, OverrideGate> = {
  preflight: 'preflight',
  window: 'deploy-window',
  'deploy-window': 'deploy-window',
};
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function parseRolloutCommand(text: string): RolloutParse {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const [first, second, ...rest] = words;
  if (first === undefined || first === 'help') return { ok: true, request: { kind: 'help' } };
  if (first === 'status' || first === 'pause' || first === 'resume' || first === 'abort') {
    if (second === undefined || rest.length > 0)
      return { ok: false, problem: `\`/rollout ${first}\` takes one service name.` };
    return { ok: true, request: { kind: first, service: second } };
  }
  if (!NAME.test(first)) return { ok: false, problem: `\`${first.slice(0, 64)}\` is not a service name.` };
  const candidate = second !== undefined && second !== 'override' ? second : undefined;
  const after = candidate === undefined ? words.slice(1) : words.slice(2);
  if (after.length === 0)
    return { ok: true, request: { kind: 'start', service: first, candidate, overrides: [], reason: undefined } };
  if (after[0] !== 'override')
    return {
      ok: false,
      problem: `Unexpected \`${after[0]?.slice(0, 64) ?? ''}\`: only \`override <gate> <reason>\` may follow.`,
    };
  const gates = (after[1] ?? '').split(',').map((g) => GATE_NAMES[g]);
  if (gates.length === 0 || gates.some((g) => g === undefined)) {
    return { ok: false, problem: 'Name the gate to override: `preflight`, `window` or `preflight,window`.' };
  }
  const reason = after.slice(2).join(' ').trim();
  if (reason === '')
    return { ok: false, problem: 'An override needs its reason after the gate: it is recorded on the release.' };
  return {
    ok: true,
    request: { kind: 'start', service: first, candidate, overrides: gates as OverrideGate[], reason },
  };
}
