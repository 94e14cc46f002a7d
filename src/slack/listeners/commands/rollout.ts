/**
 * /rollout: ack at once with what happens next, parse, and do the work after
 * the ack (the gates run the pre-deployment checklist and the staging smoke
 * tests; an abort opens an incident), answering ephemerally on response_url.
 */
import type { App } from '@slack/bolt';
import type { Logger } from '../../../logger';
import type { Metrics } from '../../../metrics';
import { startRelease } from '../../../progressive-rollout/start-release';
import { changeRelease, releaseStatus } from '../../../progressive-rollout/release-commands';
import type { RolloutDeps } from '../../../progressive-rollout';
import { asRollbackError } from '../../../rollback/errors';
import type { SlackUserId } from '../../../rollback/ids';
import { ROLLOUT_USAGE, type RolloutRequest, parseRolloutCommand } from '../../rollout-command';
import { ROLLOUT_COMMAND } from '../../surface';
import { escapeMrkdwn } from '../../blocks/text';

interface RolloutCommandDeps {
  rollout: () => RolloutDeps;
  logger: Logger;
  metrics: Metrics;
}

async function run(
  deps: RolloutCommandDeps,
  request: Exclude<RolloutRequest, { kind: 'help' }>,
  actor: SlackUserId,
): Promise<string> {
  const rollout = deps.rollout();
  switch (request.kind) {
    case 'status':
      return releaseStatus(rollout, request.service);
    case 'pause':
    case 'resume':
    case 'abort':
      return changeRelease(rollout, { change: request.kind, actor, service: request.service });
    case 'start': {
      const overrides = request.overrides.map((gate) => ({ gate, by: actor, reason: request.reason ?? '' }));
      const outcome = await startRelease(rollout, {
        service: request.service,
        actor,
        candidate: request.candidate,
        overrides,
      });
      const gates = outcome.gates.gates.map((g) => {
        const by = g.overriddenBy ? ` (<@${g.overriddenBy}>)` : '';
        return `${MARKS[g.status]} ${g.gate}: ${escapeMrkdwn(g.detail)}${by}${g.fix ? ` ${escapeMrkdwn(g.fix)}` : ''}`;
      });
      if (!outcome.started) {
        const refused = outcome.refusedOverrides.map((r) => `Override not counted: ${r}.`);
        return [`Release of ${request.service} refused by its gates; nothing was changed.`, ...gates, ...refused].join(
          '\n',
        );
      }
      return [
        `Release ${outcome.release.id} started: ${outcome.release.stages[0]?.percent ?? 0}% of traffic on ` +
          `${outcome.release.canary.id}. Follow it in the thread.`,
        ...gates,
      ].join('\n');
    }
  }
}

const MARKS = { fail: '✗', overridden: '⚠', pass: '✓' } as const;

const WORKING: Record<Exclude<RolloutRequest['kind'], 'help'>, string> = {
  start:
    'Checking the gates: the pre-deployment checklist, the deploy window, the candidate’s smoke tests on staging… ' +
    'Nothing moves until they pass.',
  status: 'Reading the release…',
  pause: 'Pausing the release…',
  resume: 'Resuming the release…',
  abort: 'Aborting the release: all traffic goes back to the base deployment…',
};

export function registerRolloutCommand(app: App, deps: RolloutCommandDeps): void {
  app.command(ROLLOUT_COMMAND, async ({ command, ack, respond }) => {
    const started = process.hrtime.bigint();
    const parsed = parseRolloutCommand(command.text ?? '');
    const immediate = !parsed.ok
      ? `${parsed.problem}\n\n${ROLLOUT_USAGE}`
      : parsed.request.kind === 'help'
        ? ROLLOUT_USAGE
        : undefined;
    await ack({
      response_type: 'ephemeral',
      text: immediate ?? (parsed.ok && parsed.request.kind !== 'help' ? WORKING[parsed.request.kind] : ''),
    });
    deps.metrics.slackAckSeconds.observe({ kind: 'command' }, Number(process.hrtime.bigint() - started) / 1e9);
    if (!parsed.ok || parsed.request.kind === 'help') return;
    const request = parsed.request;
    let text: string;
    try {
      text = await run(deps, request, command.user_id as SlackUserId);
    } catch (error) {
      const failure = asRollbackError(error);
      deps.logger.info({ err: failure, user: command.user_id, request: request.kind }, '/rollout refused or failed');
      text = `:warning: ${failure.explain()}`;
    }
    await respond({ response_type: 'ephemeral', text });
  });
}
