/**
 * A post-mortem draft in markdown, built from the incident and its timeline,
 * for the meeting the runbook asks for within 24 hours. It fills what the
 * bot knows (what happened, when it was detected, what was done, the times
 * against the targets) and leaves the five questions for people to answer.
 */
import type { IncidentRecord, TimelineRecord } from '../ports/incident-store';
import {
  type ArchiveFact,
  type Measured,
  durationWords,
  incidentFigures,
  incidentTimes,
} from '../metrics/incident-times';
import { TARGETS, type MetricTarget } from '../metrics/rollback-metrics';

export const FIVE_QUESTIONS = [
  'What happened?',
  'Why did it happen?',
  'How did we detect it?',
  'How did we fix it?',
  'How do we prevent it?',
] as const;

interface PostMortemInput {
  incident: IncidentRecord;
  timeline: readonly TimelineRecord[];
  /** When the deployment that caused it started serving, if known. */
  deployedAt?: Date;
  /** The deployment or commit that was live when it broke, e.g. "2.0.0 (commit b90de38)". */
  badVersion?: string;
  archives?: ArchiveFact[];
}

/** Keeps user text from breaking the markdown around it (tables, headings). */
function inline(text: string): string {
  return text
    .replace(/\r?\n+/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function when(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not recorded';
}

function seconds(figure: Measured | undefined): string {
  return figure === undefined ? 'not known' : durationWords(figure.value * 1000);
}

function verdict(figure: Measured | undefined, target: MetricTarget): string {
  if (figure === undefined) return '—';
  const met = target.exactly ? figure.value === target.limit : figure.value < target.limit;
  return met ? 'met' : '**missed**';
}

function who(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : inline(actor);
}

export function postMortemDraft(input: PostMortemInput): string {
  const { incident } = input;
  const times = incidentTimes(incident, { deployedAt: input.deployedAt, archives: input.archives });
  const entries = [...input.timeline].sort((a, b) => a.at.getTime() - b.at.getTime());
  const figures = incidentFigures(times);
  const lost = figures.dataLoss;
  const rows: [string, Measured | undefined, MetricTarget, string][] = [
    ['Detection time', figures.detection, TARGETS.detection_time, seconds(figures.detection)],
    ['Execution time', figures.execution, TARGETS.execution_time, seconds(figures.execution)],
    ['Downtime', figures.downtime, TARGETS.downtime, seconds(figures.downtime)],
    ['Data loss', lost, TARGETS.data_loss, lost === undefined ? 'not known' : `${lost.value} rows`],
  ];
  const outcome = times.rolledBack
    ? `Production was restored by a ` +
      `rollback${incident.data.targetSummary ? ` to ${inline(incident.data.targetSummary)}` : ''} ` +
      `at ${when(incident.restoredAt)}.`
    : `The incident ended as "${incident.state}" without a completed rollback.`;
  const sinceLive = figures.detection ? `, ${seconds(figures.detection)} after the deployment went live` : '';

  const lines = [
    `# Post-mortem (draft): ${inline(incident.service)}: ${inline(incident.issue)}`,
    '',
    `Incident ` +
      `\`${incident.id}\`${incident.severity ? `, severity ${incident.severity.toUpperCase()}` : ''}. ` +
      `Owner: ${who(incident.data.owner)}. This draft was written by rollback-bot from ` +
      `the incident's timeline; edit it before the meeting.`,
    '',
    '## Summary',
    '',
    `- **Issue:** ${inline(incident.issue)}`,
    `- **Trigger:** ${inline(incident.trigger)}`,
    ...(input.badVersion ? [`- **Live when it broke:** ${inline(input.badVersion)}`] : []),
    `- **Outcome:** ${outcome}`,
    '',
    '## Times',
    '',
    '| Moment | When |',
    '|---|---|',
    ...(input.deployedAt ? [`| Deployment went live | ${when(input.deployedAt)} |`] : []),
    `| Impact started | ${when(times.impactStartedAt)} (from ${inline(times.impactFrom)}) |`,
    `| Detected | ${when(times.detectedAt)} (from ${inline(times.detectedFrom)}) |`,
    `| Rollback decided | ${when(incident.decidedAt)} |`,
    `| Production restored | ${when(incident.restoredAt)} |`,
    '',
    '| Metric | Measured | Measured from | Runbook target | |',
    '|---|---|---|---|---|',
    ...rows.map(
      ([name, figure, target, shown]) =>
        `| ${name} | ${shown} | ${figure ? inline(figure.from) : 'not known'} | ` +
        `${target.label} | ${verdict(figure, target)} |`,
    ),
    '',
    '## What was done',
    '',
    ...(entries.length
      ? [
          '| Time (UTC) | Who | What |',
          '|---|---|---|',
          ...entries.map((e) => `| ${e.at.toISOString().slice(11, 19)} | ${who(e.actor)} | ${inline(e.message)} |`),
        ]
      : ['_The timeline is empty._']),
    '',
    '## The five questions',
    '',
    `### ${FIVE_QUESTIONS[0]}`,
    '',
    `${inline(incident.issue)}. Trigger: ${inline(incident.trigger)}.`,
    '',
    `### ${FIVE_QUESTIONS[1]}`,
    '',
    '_To answer: the root cause in the rolled-back code, and why review and tests did not catch it._',
    '',
    `### ${FIVE_QUESTIONS[2]}`,
    '',
    `Detected ${when(times.detectedAt)} from ` +
      `${inline(times.detectedFrom)}${sinceLive}; reported by ` +
      `${who(incident.openedBy ?? incident.data.requestedBy)}.`,
    '',
    `### ${FIVE_QUESTIONS[3]}`,
    '',
    outcome,
    '',
    `### ${FIVE_QUESTIONS[4]}`,
    '',
    '_To answer: the alert for the missed failure mode, the regression test, and the ' +
      'pre-deployment check that would have stopped it._',
    '',
  ];
  return lines.join('\n');
}
