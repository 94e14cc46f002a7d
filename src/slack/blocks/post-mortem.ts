/**
 * The post-mortem draft as a thread message: the markdown the domain writes,
 * in preformatted sections (each within Slack's 3000 characters, split at line
 * ends) so it can be copied whole into the post-mortem document.
 */
import { describeIncident, describeService } from './describe';
import { type Block, type SlackMessage, capBlocks, context, header, section } from './elements';
import { formatDateTime } from './format';
import { LIMITS, codeBlock, escapeMrkdwn, fallback, truncate } from './text';
import type { IncidentRef, ServiceRef } from './view-models';

const POST_MORTEM_TITLE = '📝 Post-mortem draft';

export interface PostMortemView {
  timeZone: string;
  incident: IncidentRef;
  service: ServiceRef;
  /** The meeting's deadline (24 hours after production was restored). */
  meetingBy: Date;
  /** The draft, markdown. */
  markdown: string;
}

const FENCES = 6;

/** Lines packed into chunks that each fit one preformatted section once escaped; an overlong line is cut. */
function chunks(markdown: string): string[] {
  const max = LIMITS.sectionText - FENCES;
  const out: string[] = [];
  let current = '';
  for (const raw of markdown.split('\n')) {
    const line = truncate(escapeMrkdwn(raw), max);
    const next = current === '' ? line : `${current}\n${line}`;
    if (next.length > max && current !== '') {
      out.push(current);
      current = line;
    } else {
      current = next;
    }
  }
  if (current.trim() !== '') out.push(current);
  return out;
}

export function postMortemMessage(view: PostMortemView): SlackMessage {
  const intro = section(
    `A draft for the post-mortem meeting, due by ` +
      `*${formatDateTime(view.meetingBy, view.timeZone)}*, written from the incident's ` +
      `timeline. ` +
      'Copy it into the post-mortem document and answer the questions marked _To answer_.',
  );
  const foot = context([`Incident ${describeIncident(view.incident)}`, `*${describeService(view.service)}*`]);
  const body = chunks(view.markdown).map((chunk) => section(codeBlock(chunk, LIMITS.sectionText)));
  const blocks: Block[] = [header(POST_MORTEM_TITLE), intro, ...body, foot];
  return {
    text: fallback(
      `Post-mortem draft for ${describeService(view.service)} ` +
        `(${escapeMrkdwn(view.incident.id)}): what happened, the times against the ` +
        `runbook's targets, and the five questions.`,
    ),
    blocks: capBlocks(blocks, LIMITS.messageBlocks),
  };
}
