/**
 * The /rollback subcommands that act on incidents. Each answers within Slack's
 * window: requests are recorded and the runner does the work; slow reads
 * (plan, status) answer "working on it" and follow up through response_url.
 */
import type { RolloutDeps } from '../../../progressive-rollout';
import { createPreflightReplies, statsReplyFor } from '../../../post-rollback/replies';
import type { SlackUserId } from '../../../rollback/ids';
import { asRollbackError, explainRefusal } from '../../../rollback/errors';
import { dryRun } from '../../../rollback/incident/dry-run';
import { switchFlag } from '../../../rollback/incident/flag-switch';
import type { EngineDeps } from '../../../rollback/incident/engine-deps';
import { requestRollback } from '../../../rollback/incident/request-rollback';
import type { RollbackRequestData } from '../../../rollback/ports/incident-store';
import { rollbackModal } from '../../blocks';
import type { RollbackRequest } from '../../rollback-command';
import type { CommandContext, CommandHandlers, Reply } from './rollback';

export interface IncidentReplies {
  plan(result: Awaited<ReturnType<typeof dryRun>>): Reply;
  status(deps: EngineDeps, service?: string): Promise<Reply>;
  history(deps: EngineDeps, service?: string): Promise<Reply>;
  /** For preflight: why the bot cannot post in the service's alerts channel (with the fix), if it cannot. */
  channelProblem?(service: string): Promise<string | undefined>;
}

/** The preflight answer, led by the alerts channel problem when there is one. */
function withChannelProblem(reply: Reply, problem: string | undefined): Reply {
  if (!problem) return reply;
  const warning = `⚠️ ${problem}`;
  return {
    text: `${warning}\n${reply.text}`,
    blocks: reply.blocks
      ? [{ type: 'section', text: { type: 'mrkdwn', text: warning.slice(0, 3000) } }, ...reply.blocks]
      : undefined,
  };
}

type ActionRequest = Extract<RollbackRequest, { kind: 'application' | 'revert' | 'reset' | 'schema' }>;

function requestData(request: ActionRequest): RollbackRequestData {
  switch (request.kind) {
    case 'application':
      return { kind: 'application', target: request.target, reason: request.reason };
    case 'revert':
    case 'reset':
      return { kind: request.kind, target: request.commit, reason: request.reason };
    case 'schema':
      return { kind: 'schema', target: request.migration, reason: request.reason };
  }
}

/** Runs slow work after the ack and posts its answer, or its failure, to response_url. */
function later(context: CommandContext, work: () => Promise<Reply>): void {
  void work().then(
    (reply) => context.respond({ ...reply, response_type: 'ephemeral' }),
    (error: unknown) =>
      context.respond({ response_type: 'ephemeral', text: `:warning: ${explainRefusal(asRollbackError(error))}` }),
  );
}

export function incidentCommandHandlers(
  deps: () => EngineDeps,
  replies: IncidentReplies,
  rollout?: () => RolloutDeps,
): CommandHandlers {
  const act = async (request: ActionRequest, context: CommandContext): Promise<Reply> => {
    const accepted = await requestRollback(deps(), {
      service: request.service,
      request: requestData(request),
      actor: context.command.user_id as SlackUserId,
    });
    return { text: accepted.message };
  };
  const preflight = createPreflightReplies(deps);
  return {
    application: act,
    revert: act,
    reset: act,
    schema: act,
    plan: async (request, context) => {
      later(context, async () => replies.plan(await dryRun(deps(), request.of.service, requestData(request.of))));
      return { text: `Working out the plan for ${request.of.service}… Nothing will change.` };
    },
    status: async (request, context) => {
      later(context, () => replies.status(deps(), request.service));
      return { text: 'Asking Vercel what production runs…' };
    },
    // The read-back may take longer than Slack's 3 s: the listener then answers through response_url.
    flag: async (request, context) => {
      const actor = context.command.user_id as SlackUserId;
      const { service, flag, state, reason } = request;
      return { text: (await switchFlag(deps(), { service, flag, state, reason, actor })).message };
    },
    history: async (request) => replies.history(deps(), request.service),
    stats: async (request) => statsReplyFor(deps(), request.service, rollout?.().releases),
    preflight: async (request, context) => {
      later(context, async () =>
        withChannelProblem(await preflight(request.service), await replies.channelProblem?.(request.service)),
      );
      return {
        text:
          `Running the pre-deployment checklist for ${request.service}: migrations, ` +
          `environment, deploy window, on-call, rollback target… Nothing will change.`,
      };
    },
    modal: async (_request, context) => {
      await context.openView(
        rollbackModal({
          services: deps().services.map((s) => ({ name: s.name, displayName: s.displayName })),
          privateMetadata: context.command.channel_id,
        }),
      );
      return { text: 'Opening the rollback form…' };
    },
  };
}
