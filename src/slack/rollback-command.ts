/**
 * The /rollback grammar, parsed from the command text into plain data. Pure:
 * the listener checks services, roles and targets against config and store.
 */
export type RollbackRequest =
  | { kind: 'modal' }
  | { kind: 'help' }
  | { kind: 'application'; service: string; target?: string; reason?: string }
  | { kind: 'revert'; service: string; commit: string; reason?: string }
  | { kind: 'reset'; service: string; commit: string; reason?: string }
  | { kind: 'schema'; service: string; migration: string; reason?: string }
  | { kind: 'flag'; service: string; flag: string; state: 'on' | 'off'; reason?: string }
  | {
      kind: 'plan';
      of: Exclude<
        RollbackRequest,
        { kind: 'plan' | 'modal' | 'help' | 'status' | 'history' | 'stats' | 'preflight' | 'flag' }
      >;
    }
  | { kind: 'status'; service?: string }
  | { kind: 'history'; service?: string }
  | { kind: 'stats'; service?: string }
  | { kind: 'preflight'; service: string };

type ParseResult = { ok: true; request: RollbackRequest } | { ok: false; problem: string };

const SUBCOMMANDS = [
  'help',
  'plan',
  'revert',
  'reset',
  'schema',
  'flag',
  'status',
  'history',
  'stats',
  'preflight',
] as const;

export const USAGE = [
  '*Usage of /rollback*',
  '`/rollback` opens a form: service, what to roll back, target, reason.',
  '`/rollback <service> [to <deployment|version|commit>] [reason]` rolls production ' +
    'back on Vercel (default target: last known good).',
  '`/rollback revert <service> <commit> [reason]` reverts a commit with git (Option A, recommended).',
  '`/rollback reset <service> <commit> [reason]` resets the deploy branch to a ' +
    'commit (Option B, rewrites history, CTO approval).',
  '`/rollback schema <service> <migration> [reason]` rolls back a schema migration ' +
    '(CTO approval, data archived first).',
  '`/rollback flag <service> <flag> off|on [reason]` turns a feature flag off (or on again) instead of rolling back.',
  '`/rollback plan <service> [...]` dry run of any of the above: steps, migrations, data at risk, approvals, duration.',
  '`/rollback status [service]` what production runs now and what the bot would roll back to.',
  '`/rollback history [service]` last known good versions.',
  '`/rollback stats [service]` rollback metrics against the runbook targets.',
  '`/rollback preflight <service>` the pre-deployment checklist.',
  '`/rollback help` this text.',
].join('\n');

const MAX_TEXT = 2000;

function words(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

function rest(parts: string[], from: number): string | undefined {
  const joined = parts.slice(from).join(' ').trim();
  return joined === '' ? undefined : joined;
}

const OPTION_LIKE = /^-{1,2}[a-z]/i;

/**
 * The command someone who typed a subcommand or an option where the reason
 * starts probably meant; undefined for a reason that starts with a plain word.
 * `command` is what came before the reason, `service` the service named.
 */
function meantInstead(reasonWord: string | undefined, command: string, service: string): string | undefined {
  if (reasonWord === undefined) return undefined;
  const word = reasonWord.toLowerCase();
  if (OPTION_LIKE.test(word) || word === 'plan') return `/rollback plan ${command}`;
  if (word === 'help') return '/rollback help';
  if (word === 'revert' || word === 'reset') return `/rollback ${word} ${service} <commit>`;
  if (word === 'schema') return `/rollback schema ${service} <migration>`;
  if (word === 'flag') return `/rollback flag ${service} <flag> off`;
  if ((SUBCOMMANDS as readonly string[]).includes(word)) return `/rollback ${word} ${service}`;
  return undefined;
}

/**
 * A request whose reason would start with a subcommand or an option is refused: the word must never move production.
 */
function checkReason(parts: string[], from: number, request: RollbackRequest): ParseResult {
  const service = 'service' in request && request.service ? request.service : '';
  const meant = meantInstead(parts[from], parts.slice(0, from).join(' '), service);
  if (!meant) return { ok: true, request };
  return {
    ok: false,
    problem:
      `\`${parts[from]?.slice(0, 40)}\` is a subcommand or an option, not the start of ` +
      `a reason, so nothing was rolled back: did you mean \`${meant}\`? To give a ` +
      `reason that starts with this word, put another word before it.`,
  };
}

function parseAction(parts: string[]): ParseResult {
  const [head, service, third] = parts;
  switch (head) {
    case 'revert':
    case 'reset': {
      if (!service || !third) return { ok: false, problem: `\`/rollback ${head}\` needs a service and a commit.` };
      return checkReason(parts, 3, { kind: head, service, commit: third, reason: rest(parts, 3) });
    }
    case 'schema': {
      if (!service || !third) return { ok: false, problem: '`/rollback schema` needs a service and a migration name.' };
      return checkReason(parts, 3, { kind: 'schema', service, migration: third, reason: rest(parts, 3) });
    }
    default: {
      if (!head) return { ok: true, request: { kind: 'modal' } };
      if (parts[1] === 'to') {
        if (!parts[2]) return { ok: false, problem: '`to` needs a deployment id, deployment URL, version or commit.' };
        return checkReason(parts, 3, { kind: 'application', service: head, target: parts[2], reason: rest(parts, 3) });
      }
      return checkReason(parts, 1, { kind: 'application', service: head, reason: rest(parts, 1) });
    }
  }
}

/** `flag <service> <flag> off|on [reason]`: the state is required, so a typo never turns a feature off. */
function parseFlag(parts: string[]): ParseResult {
  const [, service, flag, state] = parts;
  const usage =
    '`/rollback flag` needs a service, a flag and `off` or `on`, e.g. `/rollback flag <service> <flag> off <reason>`.';
  if (!service || !flag || !state) return { ok: false, problem: usage };
  const lower = state.toLowerCase();
  if (lower !== 'on' && lower !== 'off') {
    const problem = `\`${state.slice(0, 20)}\` is not \`off\` or \`on\`, so no flag was changed. ${usage}`;
    return { ok: false, problem };
  }
  return checkReason(parts, 4, { kind: 'flag', service, flag, state: lower, reason: rest(parts, 4) });
}

export function parseRollbackCommand(text: string): ParseResult {
  if (text.length > MAX_TEXT) return { ok: false, problem: `The command is longer than ${MAX_TEXT} characters.` };
  const parts = words(text);
  const [head, second] = parts;
  switch (head?.toLowerCase()) {
    case undefined:
      return { ok: true, request: { kind: 'modal' } };
    case 'help':
      return { ok: true, request: { kind: 'help' } };
    case 'status':
    case 'history':
    case 'stats':
      return { ok: true, request: { kind: head.toLowerCase() as 'status' | 'history' | 'stats', service: second } };
    case 'preflight':
      if (!second) return { ok: false, problem: '`/rollback preflight` needs a service.' };
      return { ok: true, request: { kind: 'preflight', service: second } };
    case 'flag':
      return parseFlag(parts);
    case 'plan': {
      if (parts[1]?.toLowerCase() === 'flag') {
        const problem = '`/rollback plan` does not apply to flags: `/rollback flag` changes only the flag named.';
        return { ok: false, problem };
      }
      const inner = parseAction(parts.slice(1));
      if (!inner.ok) return inner;
      if (inner.request.kind === 'modal') return { ok: false, problem: '`/rollback plan` needs a service.' };
      return {
        ok: true,
        request: { kind: 'plan', of: inner.request as Extract<RollbackRequest, { kind: 'plan' }>['of'] },
      };
    }
    default:
      return parseAction([(head ?? '').toLowerCase(), ...parts.slice(1)]);
  }
}
