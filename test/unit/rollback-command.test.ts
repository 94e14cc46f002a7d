import { USAGE, parseRollbackCommand } from '../../src/slack/rollback-command';

describe('/rollback grammar', () => {
  it.each([
    ['', { kind: 'modal' }],
    ['help', { kind: 'help' }],
    ['dr-amal', { kind: 'application', service: 'dr-amal' }],
    [
      'dr-amal to dpl_abc123 auth broken',
      { kind: 'application', service: 'dr-amal', target: 'dpl_abc123', reason: 'auth broken' },
    ],
    ['dr-amal 5xx above 25%', { kind: 'application', service: 'dr-amal', reason: '5xx above 25%' }],
    [
      'revert dr-amal b90de38 AI broke notes',
      { kind: 'revert', service: 'dr-amal', commit: 'b90de38', reason: 'AI broke notes' },
    ],
    ['reset dr-amal b7920c6', { kind: 'reset', service: 'dr-amal', commit: 'b7920c6' }],
    [
      'schema dr-amal 20260117_add_ai_features',
      { kind: 'schema', service: 'dr-amal', migration: '20260117_add_ai_features' },
    ],
    ['plan revert dr-amal b90de38', { kind: 'plan', of: { kind: 'revert', service: 'dr-amal', commit: 'b90de38' } }],
    ['status', { kind: 'status' }],
    ['history dr-amal', { kind: 'history', service: 'dr-amal' }],
    ['  STATUS   dr-amal ', { kind: 'status', service: 'dr-amal' }],
    ['preflight dr-amal', { kind: 'preflight', service: 'dr-amal' }],
  ])('parses %j', (text, request) => {
    expect(parseRollbackCommand(text)).toEqual({ ok: true, request: expect.objectContaining(request) });
  });

  it.each([
    ['revert dr-amal', /needs a service and a commit/],
    ['schema dr-amal', /needs a service and a migration/],
    ['dr-amal to', /`to` needs/],
    ['plan', /needs a service/],
    ['preflight', /needs a service/],
    ['x'.repeat(2001), /longer than 2000/],
  ])('explains what is missing in %j', (text, problem) => {
    const result = parseRollbackCommand(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });

  it('lists every subcommand in the usage text', () => {
    for (const sub of ['revert', 'reset', 'schema', 'plan', 'status', 'history', 'stats', 'preflight', 'help']) {
      expect(USAGE).toContain(`/rollback ${sub}`);
    }
  });
});

/**
 * Issue 16 item 5: `/rollback <service> plan` (or status, help, history,
 * --dry-run...) used to roll production back with the word as the reason.
 * A reason whose first word is a subcommand or looks like an option is
 * refused, with the command that was probably meant.
 */
describe('a subcommand or option where the reason starts', () => {
  it.each([
    ['dr-amal plan', '/rollback plan dr-amal'],
    ['dr-amal status', '/rollback status dr-amal'],
    ['dr-amal help', '/rollback help'],
    ['dr-amal history', '/rollback history dr-amal'],
    ['dr-amal --dry-run', '/rollback plan dr-amal'],
    ['dr-amal -n', '/rollback plan dr-amal'],
    ['dr-amal PLAN now', '/rollback plan dr-amal'],
    ['dr-amal to dpl_abc123 plan', '/rollback plan dr-amal to dpl_abc123'],
    ['revert dr-amal b90de38 --dry-run', '/rollback plan revert dr-amal b90de38'],
    ['schema dr-amal 20260117_add_ai stats', '/rollback stats dr-amal'],
  ])('refuses %j and suggests `%s`', (text, meant) => {
    const result = parseRollbackCommand(text);
    expect(result).toEqual({ ok: false, problem: expect.stringContaining(`did you mean \`${meant}\`?`) });
  });

  it.each(['dr-amal planned maintenance broke sign-in', 'dr-amal 5xx -- above 25%', 'dr-amal sign-in --broken'])(
    'still accepts %j as a reason',
    (text) => {
      expect(parseRollbackCommand(text)).toMatchObject({ ok: true, request: { kind: 'application' } });
    },
  );
});
