/**
 * The decision tree's question: "Can it be hotfixed in under 5 minutes?".
 * A hotfix claim shows its deadline and keeps "Roll back now" at hand; once
 * answered for good the buttons give way to who decided.
 */
import { hotfixDeadline } from '../../rollback/incident/decision-tree';
import { HOTFIX, HOTFIX_DONE, MONITOR, ROLLBACK_NOW } from '../action-ids';
import { describeIncident, describeService } from './describe';
import { type Block, type SlackMessage, actions, button, context, section } from './elements';
import { formatTime } from './format';
import { escapeMrkdwn, fallback, mention } from './text';
import type { HotfixQuestionView } from './view-models';
import { type FlagOffer, disableFlagButton, splitOffers } from './flag-switched';

const HOTFIX_QUESTION = 'Can it be hotfixed in under 5 minutes?';

function disableWords(flags: readonly FlagOffer[]): string {
  const named = flags.map((f) => `\`${f.name}\` (${escapeMrkdwn(f.description)})`).join(', ');
  return `The alert names a feature behind a flag: ${named}. Disabling it stops the feature without a rollback.`;
}

export function hotfixQuestion(view: HotfixQuestionView): SlackMessage {
  const q = view.question;
  const incidentId = view.incident.id;
  const hotfix = button({ actionId: HOTFIX, text: 'Hotfix', value: incidentId, style: 'primary' });
  const done = button({ actionId: HOTFIX_DONE, text: 'Hotfix is out', value: incidentId, style: 'primary' });
  const rollBack = button({ actionId: ROLLBACK_NOW, text: 'Roll back now', value: incidentId, style: 'danger' });
  const monitor = button({ actionId: MONITOR, text: 'Monitor', value: incidentId });
  // The runbook's alternative to a rollback, next to "Roll back now", for each flag the alert names.
  const { offered, offLines } = splitOffers(view.flags, 3, view.timeZone);
  const disable = offered.map((flag) => disableFlagButton(incidentId, flag));
  // A flag already turned off on this incident is said so, never offered again.
  const off: Block[] = offLines.length > 0 ? [section(offLines.join('\n'))] : [];
  const blocks: Block[] = [];
  let status: string;
  switch (q.status) {
    case 'asked': {
      const again =
        q.round > 1
          ? 'The hotfix window ran out and production is still broken. The runbook says: *roll back immediately*.\n'
          : '';
      blocks.push(
        section(
          `${again}*${HOTFIX_QUESTION}*\nIf yes, press Hotfix: you get 5 minutes, then the ` +
            `bot asks again. If not, roll back now. Not broken after all? Monitor: the bot ` +
            `asks again if the trigger still fires.`,
        ),
      );
      const first = q.round > 1 ? [rollBack, ...disable, hotfix] : [hotfix, rollBack, ...disable];
      if (disable.length > 0) blocks.push(section(disableWords(offered)));
      blocks.push(...off);
      blocks.push(actions(`hotfix:${incidentId}`, [...first, monitor]));
      status = q.round > 1 ? 'asked again, rollback proposed' : 'asked';
      break;
    }
    case 'hotfix_claimed': {
      const deadline = formatTime(hotfixDeadline(q), view.timeZone);
      blocks.push(
        section(
          `🛠️ ${mention(q.claimedBy)} is shipping a hotfix (claimed ` +
            `${formatTime(q.claimedAt, view.timeZone)}). If production is not healthy by ` +
            `*${deadline}*, the bot asks again and proposes the rollback.`,
        ),
      );
      blocks.push(...off);
      blocks.push(actions(`hotfix:${incidentId}`, [done, rollBack, ...disable]));
      status = `hotfix claimed by ${mention(q.claimedBy)}, deadline ${deadline}`;
      break;
    }
    case 'hotfixed':
      blocks.push(
        section(
          `✅ Hotfixed: ${mention(q.by)} reported the hotfix out at ` +
            `${formatTime(q.at, view.timeZone)}. Monitor production; \`/rollback\` remains ` +
            `available.`,
        ),
      );
      status = 'hotfixed';
      break;
    case 'rollback_chosen':
      blocks.push(
        section(`⏪ Rolled back: ${mention(q.by)} chose to roll back at ${formatTime(q.at, view.timeZone)}.`),
      );
      status = 'rollback chosen';
      break;
  }
  blocks.push(
    context([
      `*${describeService(view.service)}*`,
      `Incident ${describeIncident(view.incident)}`,
      q.round > 1 ? `Round ${q.round}` : '',
    ]),
  );
  return {
    text: fallback(`${HOTFIX_QUESTION} ${describeService(view.service)} (${escapeMrkdwn(incidentId)}): ${status}.`),
    blocks,
  };
}
