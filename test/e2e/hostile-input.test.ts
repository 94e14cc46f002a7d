/**
 * Issue 16 items 5 and 7 over HTTP with the stand-ins and real PostgreSQL:
 * a subcommand word where the reason starts never moves production (it is
 * refused with "did you mean"), and hostile input (a NUL in a reason, forged
 * select values such as `constructor` or `__proto__`) gets a plain answer,
 * never an internal error, and starts nothing.
 */
import { ROLLBACK_MODAL_CALLBACK_ID, ROLLBACK_MODAL_FIELDS as F } from '../../src/slack/action-ids';
import { SERVICE, useWorld } from '../support/incident-world';

describe('words and values that must not move production', () => {
  const ctx = useWorld('e2e_hostile');
  const slash = async (text: string): Promise<string> =>
    ((await ctx.world.bot.sender.slashCommand({ text, userId: 'U0DEVOPS1' })).json() as { text: string }).text;
  const incidents = async (): Promise<number> =>
    (await ctx.world.bot.bot.engine.deps.store.listIncidents({ limit: 10 })).length;

  it.each([
    [`${SERVICE} plan`, `/rollback plan ${SERVICE}`],
    [`${SERVICE} status`, `/rollback status ${SERVICE}`],
    [`${SERVICE} help`, '/rollback help'],
    [`${SERVICE} history`, `/rollback history ${SERVICE}`],
    [`${SERVICE} --dry-run`, `/rollback plan ${SERVICE}`],
  ])('"/rollback %s" is refused with did you mean `%s`, and nothing starts', async (text, meant) => {
    expect(await slash(text)).toContain(`did you mean \`${meant}\`?`);
    expect(await incidents()).toBe(0);
    expect(ctx.world.vercel.state.count('POST', '/rollback/')).toBe(0);
  });

  it('a NUL in the reason gets a plain refusal, not the database’s encoding error', async () => {
    const reply = await slash(`${SERVICE} sign-in\u0000broken`);
    expect(reply).toMatch(/control character \(such as NUL\)/);
    expect(reply).not.toMatch(/invalid byte sequence|22021|encoding/i);
    expect(await incidents()).toBe(0);
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'the form with "%s" as what to roll back is answered field by field',
    async (what) => {
      const response = await ctx.world.bot.sender.interaction({
        type: 'view_submission',
        user: { id: 'U0DEVOPS1' },
        view: {
          id: 'V1',
          type: 'modal',
          callback_id: ROLLBACK_MODAL_CALLBACK_ID,
          private_metadata: 'C0PRODALRT',
          state: {
            values: {
              [F.service.blockId]: {
                [F.service.actionId]: { type: 'static_select', selected_option: { value: SERVICE } },
              },
              [F.what.blockId]: { [F.what.actionId]: { type: 'radio_buttons', selected_option: { value: what } } },
              [F.target.blockId]: { [F.target.actionId]: { type: 'plain_text_input', value: '' } },
              [F.reason.blockId]: { [F.reason.actionId]: { type: 'plain_text_input', value: 'broken' } },
            },
          },
        },
      });
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({
        response_action: 'errors',
        errors: { [F.what.blockId]: expect.any(String) },
      });
      expect(response.text).not.toMatch(/Cannot read properties/);
      expect(await incidents()).toBe(0);
    },
  );
});
