/**
 * The rest of /rollback over real HTTP: the form (modal) and its submission,
 * the dry run (plan), status, and history with the last known good version.
 */
import { SERVICE, useWorld } from '../support/incident-world';
import { ROLLBACK_MODAL_CALLBACK_ID, ROLLBACK_MODAL_FIELDS as F } from '../../src/slack/action-ids';

describe('/rollback surfaces', () => {
  const ctx = useWorld('e2e_surfaces');

  it('plan is a dry run: target, steps, approvals, duration, and nothing changes', async () => {
    const ack = (
      await ctx.world.bot.sender.slashCommand({ text: `plan ${SERVICE}`, userId: 'U0DEVOPS1', responseId: 'plan1' })
    ).json() as { text: string };
    expect(ack.text).toMatch(/Nothing will change/);
    const reply = await ctx.world.slack.waitForResponse((p) => p.id === 'plan1', 10_000);
    const text = JSON.stringify(reply.body);
    expect(text).toContain('1.9.0');
    expect(text).toContain('Nothing was changed');
    expect(ctx.world.vercel.state.count('POST', '/rollback/')).toBe(0);
    expect(ctx.world.vercel.state.production()?.id).toBe(ctx.world.history.bad.id);
  });

  it('status says what production runs and what the bot would roll back to', async () => {
    await ctx.world.bot.sender.slashCommand({ text: 'status', userId: 'U0NOBODY1', responseId: 'status1' });
    const reply = JSON.stringify((await ctx.world.slack.waitForResponse((p) => p.id === 'status1', 10_000)).body);
    expect(reply).toContain('2.0.0-beta');
    expect(reply).toContain('1.9.0');
  });

  it('status says why a version is unknown when deployment URLs are protected, and which setting to add', async () => {
    ctx.world.vercel.state.project.protectionBypass = 'bypass-secret-0123456789';
    try {
      await ctx.world.bot.sender.slashCommand({ text: 'status', userId: 'U0NOBODY1', responseId: 'status-protected' });
      const reply = JSON.stringify(
        (await ctx.world.slack.waitForResponse((p) => p.id === 'status-protected', 10_000)).body,
      );
      expect(reply).toContain('Version unknown');
      expect(reply).toContain(
        'answered HTTP 401: Vercel Deployment Protection is on and vercel.protectionBypassEnv is not set',
      );
    } finally {
      ctx.world.vercel.state.project.protectionBypass = undefined;
    }
  });

  it(
    'the form opens as a modal, refuses a bad submission field by field, and a good ' + 'one starts the rollback',
    async () => {
      const triggerId = '3333.4444.abcdef';
      const ack = (await ctx.world.bot.sender.slashCommand({ text: '', userId: 'U0DEVOPS1', triggerId })).json() as {
        text: string;
      };
      expect(ack.text).toMatch(/form/);
      const opened = await ctx.world.slack.waitForCall((c) => c.method === 'views.open' && c.answer.ok);
      expect(String(opened.params.view)).toContain(ROLLBACK_MODAL_CALLBACK_ID);

      const values = (what: string, reason: string) => ({
        [F.service.blockId]: { [F.service.actionId]: { type: 'static_select', selected_option: { value: SERVICE } } },
        [F.what.blockId]: { [F.what.actionId]: { type: 'radio_buttons', selected_option: { value: what } } },
        [F.target.blockId]: { [F.target.actionId]: { type: 'plain_text_input', value: '' } },
        [F.reason.blockId]: { [F.reason.actionId]: { type: 'plain_text_input', value: reason } },
      });
      const submit = (what: string, reason: string, user = 'U0DEVOPS1') =>
        ctx.world.bot.sender.interaction({
          type: 'view_submission',
          user: { id: user },
          view: {
            id: 'V1',
            type: 'modal',
            callback_id: ROLLBACK_MODAL_CALLBACK_ID,
            private_metadata: 'C0PRODALRT',
            state: { values: values(what, reason) },
          },
        });
      const bad = await submit('revert', 'broken');
      expect(bad.json()).toMatchObject({
        response_action: 'errors',
        errors: { [F.target.blockId]: expect.stringMatching(/commit/) },
      });
      // A refusal shows in the form itself, not as an ephemeral in a channel the bot may not be in.
      const refused = await submit('application', 'AI notes corrupt', 'U0NOBODY1');
      expect(refused.json()).toMatchObject({
        response_action: 'errors',
        errors: { [F.service.blockId]: expect.stringMatching(/DevOps lead|not allowed|may not|Only/i) },
      });
      const good = await submit('application', 'AI notes corrupt');
      expect(good.status).toBe(200);
      // The result replaces the form: the user sees it wherever the form was opened.
      expect(JSON.stringify(good.json())).toMatch(/"response_action":"update".*started as INC-/);
      await ctx.world.waitForPost('ROLLBACK COMPLETE', 20_000);
      expect(ctx.world.slack.callsOf('chat.postEphemeral')).toEqual([]);
    },
  );

  it('history shows the runbook table with the restored version as last known good', async () => {
    await ctx.world.bot.bot.engine.runner.idle();
    const reply = (
      await ctx.world.bot.sender.slashCommand({ text: `history ${SERVICE}`, userId: 'U0NOBODY1' })
    ).json() as { text: string; blocks: unknown[] };
    const text = JSON.stringify(reply);
    expect(text).toContain('1.9.0');
    expect(text).toContain(ctx.world.history.goodCommit.slice(0, 7));
    expect(text).toMatch(/restored by INC-/);
  });
});
