/**
 * The runbook's incident ticket ("document what broke, error messages, logs,
 * timeline, link to rollback commit"), built from what the incident recorded,
 * and when its life moves on: opened within the hour (or at once when the
 * incident resolves), the post-mortem draft added once it is written, closed
 * when the post-rollback checklist is complete. The ticket's own progress is
 * kept as timeline entries, so every replica reads the same state.
 */
import type { IncidentRecord, StepRecord, TimelineRecord } from '../ports/incident-store';
import { durationWords, incidentFigures, incidentTimes, type Measured } from '../metrics/incident-times';
import type { FollowUpItem } from './checklist';

const HOUR = 3_600_000;

export const TICKET_OPENED = 'follow_up_ticket_opened';
export const TICKET_POST_MORTEM = 'follow_up_ticket_post_mortem';
export const TICKET_CLOSED = 'follow_up_ticket_closed';

/** Timeline kinds that carry the trigger's evidence (alerts, probes, detection). */
const EVIDENCE = /detection|alert|raise_severity|autopilot|probe|opened/;

interface TicketProgress {
  readonly url?: string;
  readonly key?: string;
  readonly opened: boolean;
  readonly postMortem: boolean;
  readonly closed: boolean;
}

export function ticketProgress(timeline: readonly TimelineRecord[]): TicketProgress {
  const opened = timeline.find((entry) => entry.kind === TICKET_OPENED);
  return {
    ...(opened ? { url: String(opened.data.url), key: String(opened.data.key) } : {}),
    opened: opened !== undefined,
    postMortem: timeline.some((entry) => entry.kind === TICKET_POST_MORTEM),
    closed: timeline.some((entry) => entry.kind === TICKET_CLOSED),
  };
}

/**
 * The runbook's hour after the incident opened, or at once when it resolves; a cancelled request is no incident to
 * file.
 */
export function ticketDue(incident: IncidentRecord, at: Date): boolean {
  if (incident.state === 'cancelled') return false;
  return incident.state === 'resolved' || at.getTime() - incident.openedAt.getTime() >= HOUR;
}

export function checklistComplete(items: readonly FollowUpItem[]): boolean {
  return items.length > 0 && items.every((item) => item.doneAt);
}

const line = (text: string): string => text.replace(/\s+/g, ' ').trim();
const stamp = (date: Date): string => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
/** The same figure, in the same words, as every other surface (the metrics' one computation). */
const figure = (value: Measured | undefined): string =>
  value === undefined ? 'not known' : `${durationWords(value.value * 1000)} (${value.from})`;

function rollbackFacts(steps: readonly StepRecord[]): string[] {
  return steps.flatMap((step) => {
    const out = step.output ?? {};
    const facts = [
      typeof out.commit === 'string' ? `commit ${out.commit}` : '',
      typeof out.head === 'string' && out.head !== out.commit ? `deploy branch at ${out.head}` : '',
      typeof (out.pullRequest as { url?: unknown } | undefined)?.url === 'string'
        ? `pull request ${(out.pullRequest as { url: string }).url}`
        : '',
      typeof out.targetId === 'string'
        ? `deployment ${out.targetId}${typeof out.version === 'string' ? ` (${out.version})` : ''}`
        : '',
      typeof out.deploymentId === 'string' ? `deployment ${out.deploymentId}` : '',
      typeof out.migration === 'string' ? `migration ${out.migration}` : '',
    ].filter(Boolean);
    const detail = facts.length > 0 ? ` — ${facts.join(', ')}` : '';
    const error = step.error ? ` — ${line(step.error.message)}` : '';
    return [`- ${step.kind}: ${step.state}${detail}${error}`];
  });
}

export function incidentTicketContent(input: {
  incident: IncidentRecord;
  service: string;
  steps: readonly StepRecord[];
  timeline: readonly TimelineRecord[];
  badVersion?: string;
  deployedAt?: Date;
}) {
  const { incident } = input;
  const entries = [...input.timeline]
    .filter((entry) => !entry.kind.startsWith('follow_up'))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const evidence = entries
    .filter((entry) => EVIDENCE.test(entry.kind))
    .map((entry) => `- ${stamp(entry.at)} ${line(entry.message)}`);
  const figures = incidentFigures(incidentTimes(incident, { deployedAt: input.deployedAt }));
  const severity = incident.severity ? ` (${incident.severity.toUpperCase()})` : '';
  const evidenceText = evidence.length > 0 ? evidence.join('\n') : '- no alert or probe evidence was recorded';
  const timeline = entries.map((entry) => `- ${stamp(entry.at)} ${line(entry.actor)}: ${line(entry.message)}`);
  const sections = [
    `## What broke\n${line(incident.issue)}${input.badVersion ? `\n\nLive when it broke: ${input.badVersion}.` : ''}`,
    `## Trigger and evidence\n${line(incident.trigger)}${severity}\n${evidenceText}`,
    `## Rollback\n${rollbackFacts(input.steps).join('\n') || '- no rollback step ran'}`,
    `## Metrics\n| | |\n|---|---|\n| Detection time | ${figure(figures.detection)} ` +
      `|\n| Execution time | ${figure(figures.execution)} |\n| Downtime | ` +
      `${figure(figures.downtime)} |`,
    `## Timeline\n${timeline.join('\n')}`,
    `_Opened by rollback-bot for incident ${incident.id} (state: ${incident.state}). ` +
      `The post-mortem draft follows as a comment; the ticket closes when the ` +
      `post-rollback checklist is complete._`,
  ];
  const body = sections.join('\n\n');
  return {
    incidentId: incident.id,
    title: `[${incident.id}] ${input.service}: ${line(incident.issue).slice(0, 180)}`,
    body: body.length > 60_000 ? `${body.slice(0, 60_000)}\n\n(cut: see the incident thread)` : body,
  };
}
