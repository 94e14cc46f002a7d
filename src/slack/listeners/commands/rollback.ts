/**
 * /rollback: ack at once, parse, hand the request to the handler for its kind,
 * answer ephemerally. Handlers never do long work inside the 3-second window:
 * they record what must happen and return the reply.
 */
import type { App, SlashCommand, types } from '@slack/bolt';
import type { ServiceConfig } from '../../../config/service-schema';
import type { Logger } from '../../../logger';
import type { Metrics } from '../../../metrics';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import { type RollbackRequest, USAGE, parseRollbackCommand } from '../../rollback-command';
import { ROLLBACK_COMMAND } from '../../surface';
import { inTime } from '../in-time';
import { escapeMrkdwn } from '../../blocks/text';

export interface Reply {
  text: string;
  blocks?: types.KnownBlock[];
}

export interface CommandContext {
  command: SlashCommand;
  /** Posts a follow-up to the command's response_url (ephemeral unless said otherwise). */
  respond(reply: Reply & { response_type?: 'ephemeral' | 'in_channel' }): Promise<void>;
  /** Opens a modal for the user who typed the command. */
  openView(view: types.ModalView): Promise<void>;
}

type CommandHandler<K extends RollbackRequest['kind']> = (
  request: Extract<RollbackRequest, { kind: K }>,
  context: CommandContext,
) => Promise<Reply>;

export type CommandHandlers = { [K in RollbackRequest['kind']]?: CommandHandler<K> };

export interface RollbackCommandDeps {
  services: readonly ServiceConfig[];
  handlers: CommandHandlers;
  logger: Logger;
  metrics: Metrics;
  /** How long a command may take before it is acknowledged with "still working" (default 2 s; Slack waits 3 s). */
  ackWithinMs?: number;
}

const ACK_WITHIN_MS = 2_000;
export const STILL_WORKING = '⏳ Working on it: Slack is slow to answer right now. The answer follows here.';

const ephemeral = (reply: Reply) => ({ response_type: 'ephemeral' as const, ...reply });

function serviceOf(request: RollbackRequest): string | undefined {
  if (request.kind === 'plan') return request.of.service;
  return 'service' in request ? request.service : undefined;
}

/** Decides the reply that needs no handler: usage, unknown service or subcommand. */
export function preflightReply(request: RollbackRequest, services: readonly ServiceConfig[]): Reply | undefined {
  if (request.kind === 'help') return { text: USAGE };
  const service = serviceOf(request);
  if (service !== undefined && !services.some((s) => s.name === service)) {
    const known = services.map((s) => `\`${s.name}\``).join(', ');
    const what = request.kind === 'application' ? 'subcommand or service' : 'service';
    return { text: `Unknown ${what} \`${escapeMrkdwn(service.slice(0, 64))}\`. Known services: ${known}.\n\n${USAGE}` };
  }
  return undefined;
}

export function registerRollbackCommand(app: App, deps: RollbackCommandDeps): void {
  app.command(ROLLBACK_COMMAND, async ({ command, ack, respond, client }) => {
    const started = process.hrtime.bigint();
    const log = deps.logger.child({ command: ROLLBACK_COMMAND, user: command.user_id });
    const finish = async (reply: Reply): Promise<void> => {
      await ack(ephemeral(reply));
      deps.metrics.slackAckSeconds.observe({ kind: 'command' }, Number(process.hrtime.bigint() - started) / 1e9);
    };

    const parsed = parseRollbackCommand(command.text ?? '');
    if (!parsed.ok) {
      await finish({ text: `${parsed.problem}\n\n${USAGE}` });
      return;
    }
    const request = parsed.request;
    const early = preflightReply(request, deps.services);
    if (early) {
      await finish(early);
      return;
    }
    const handler = deps.handlers[request.kind] as CommandHandler<typeof request.kind> | undefined;
    if (!handler) {
      await finish({
        text: `\`/rollback ${request.kind}\` is not enabled in this deployment of rollback-bot.\n\n${USAGE}`,
      });
      return;
    }
    // response_url answers in any channel (a DM, one the bot is not in) but Slack refuses it after
    // 30 minutes or 5 uses: then the answer comes by DM. Never rejects: a late answer has no caller to tell.
    const answerLate = async (reply: Reply & { response_type?: 'ephemeral' | 'in_channel' }): Promise<void> => {
      try {
        await respond(reply);
      } catch (error) {
        log.warn(
          { err: error, kind: request.kind },
          "Slack refused the command's response_url; sending the answer by DM",
        );
        try {
          // A bot's chat.postMessage to a user id lands in its DM with that user.
          await client.chat.postMessage({
            channel: command.user_id,
            text: reply.text,
            ...(reply.blocks ? { blocks: reply.blocks } : {}),
          });
        } catch (dmError) {
          log.warn({ err: dmError, kind: request.kind }, 'could not send the late answer to a slash command');
        }
      }
    };
    const context: CommandContext = {
      command,
      respond: answerLate,
      openView: async (view) => void (await client.views.open({ trigger_id: command.trigger_id, view })),
    };
    const work = handler(request as never, context).catch((error: unknown): Reply => {
      const failure = asRollbackError(error);
      log.warn({ err: failure, kind: request.kind }, 'slash command refused');
      return { text: `:warning: ${explainRefusal(failure)}` };
    });
    const answered = await inTime(work, deps.ackWithinMs ?? ACK_WITHIN_MS);
    if (answered) {
      await finish(answered);
      return;
    }
    // Slack gives up on a command after 3 s: acknowledge now, answer through response_url when ready.
    await finish({ text: STILL_WORKING });
    await answerLate(ephemeral(await work));
  });
}
