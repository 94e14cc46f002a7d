import { USAGE, parseRollbackCommand } from '../../src/slack/rollback-command';

describe('/rollback grammar', () => {
  it.each([
    ['', { kind: 'modal' }],
    ['help', { kind: 'help' }],
    ['dr-amal', { kind: 'application', service: 'dr-amal' }],
    ['dr-amal to dpl_abc123 auth broken', { kind: 'application', service: 'dr-amal', target: 'dpl_abc123', reason: 'auth broken' }],
    ['dr-amal 5xx above 25%', { kind: 'application', service: 'dr-amal', reason: '5xx above 25%' }],
    ['revert dr-amal b90de38 AI broke notes', { kind: 'revert', service: 'dr-amal', commit: 'b90de38', reason: 'AI broke notes' }],
    ['reset dr-amal b7920c6', { kind: 'reset', service: 'dr-amal', commit: 'b7920c6' }],
    ['schema dr-amal 20260117_add_ai_features', { kind: 'schema', service: 'dr-amal', migration: '20260117_add_ai_features' }],
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
