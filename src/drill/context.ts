/**
 * What the drill's steps share: the world, a line printer for progress
 * details, the facts each step leaves for the next, and the waits on the
 * incident thread every step needs.
 */
import {
  ROLLBACK_COMPLETE_TITLE,
  ROLLBACK_FAILED_TITLE,
  ROLLBACK_IN_PROGRESS_TITLE,
  ROLLBACK_UNKNOWN_TITLE,
} from '../slack/blocks';
import type { SlackMessage, SlackTranscript } from './slack-transcript';
import type { Observed } from './drill-checks';
import { waitUntil } from './wait';
import type { DrillWorld } from './world';

export interface Deployed {
  readonly commit: string;
  readonly deploymentId: string;
  readonly version: string;
  /** When it started serving production (ms). */
  readonly liveAt: number;
}

export interface DrillFacts {
  readonly startedAt: Date;
  good?: Deployed;
  bad?: Deployed;
  migrationCommit?: string;
  /** The incidents of the drill, by the step that opened them. */
  incidents: { detected?: string; revert?: string; schema?: string };
  /** What the drill saw of the detected incident, to check the bot's figures against. */
  observed?: Observed;
}

export interface DrillContext {
  readonly world: DrillWorld;
  readonly facts: DrillFacts;
  /** A progress detail under the current step. */
  note(line: string): void;
}

/** What a step found wrong; empty when it passed. */
export type Problems = string[];

export function incidentIdOf(text: string): string | undefined {
  return /\bINC-[A-Z0-9]+-[A-Z0-9]+\b/.exec(text)?.[0];
}

/** The incident id in a command's answer ("... started as INC-…"). */
export function startedIncident(answer: string): string | undefined {
  return /started as (INC-[A-Z0-9]+-[A-Z0-9]+)/.exec(answer)?.[1] ?? undefined;
}

/** The root "ROLLBACK IN PROGRESS" post of an incident (or, with no id, the first one posted after `after`). */
export function waitForRoot(
  transcript: SlackTranscript,
  incidentId: string | undefined,
  after: number,
  timeoutMs: number,
): Promise<SlackMessage | undefined> {
  return waitUntil(
    () =>
      transcript
        .roots(ROLLBACK_IN_PROGRESS_TITLE, after)
        .find((m) => incidentId === undefined || m.rendered.includes(incidentId)),
    timeoutMs,
  );
}

export interface Outcome {
  readonly kind: 'complete' | 'failed' | 'unknown' | 'cancelled';
  readonly message: SlackMessage;
}

const OUTCOMES: ReadonlyArray<[Outcome['kind'], (text: string) => boolean]> = [
  ['complete', (text) => text.includes(ROLLBACK_COMPLETE_TITLE)],
  ['failed', (text) => text.includes(ROLLBACK_FAILED_TITLE)],
  ['unknown', (text) => text.includes(ROLLBACK_UNKNOWN_TITLE)],
  ['cancelled', (text) => /^Rollback INC-\S+ cancelled:/.test(text)],
];

/** The incident's outcome post in its thread: COMPLETE, FAILED, OUTCOME UNKNOWN, or cancelled. */
export function outcomeOf(transcript: SlackTranscript, root: SlackMessage): Outcome | undefined {
  for (const message of transcript.thread(root.ts)) {
    const found = OUTCOMES.find(([, matches]) => matches(message.rendered));
    if (found) return { kind: found[0], message };
  }
  return undefined;
}

export function waitForOutcome(
  transcript: SlackTranscript,
  root: SlackMessage,
  timeoutMs: number,
): Promise<Outcome | undefined> {
  return waitUntil(() => outcomeOf(transcript, root), timeoutMs);
}

/** Why an incident did not complete, from its outcome post: the failing step and its error, or the cancellation. */
export function outcomeReason(outcome: Outcome): string {
  const lines = outcome.message.rendered
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const after = (label: string): string | undefined => {
    const index = lines.findIndex((l) => l.replace(/[*:]/g, '').trim() === label);
    return index >= 0 ? lines[index + 1] : undefined;
  };
  const step = after('Failing step');
  const error = after('Error');
  if (step || error) return `"${step ?? '?'}": ${error ?? 'no error given'}`;
  return lines[0] ?? '';
}

/** What the outcome was, in a few words, for a failure line. */
export function outcomeWords(outcome: Outcome): string {
  return {
    complete: 'completed',
    failed: 'failed',
    unknown: 'ended with an unknown outcome',
    cancelled: 'was cancelled',
  }[outcome.kind];
}

/** GET a production path with real HTTP; the JSON body when it answered 200. */
async function productionJson(ctx: DrillContext, path: string): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(`${ctx.world.vercel.appUrl}${path}`).catch(() => undefined);
  if (!response?.ok) return undefined;
  return (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
}

/** The version production answers with, asked a few times (a broken deployment fails some requests). */
export async function servedVersion(ctx: DrillContext): Promise<{ version?: string; commit?: string }> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const body = await productionJson(ctx, '/api/version');
    if (body)
      return {
        version: typeof body.version === 'string' ? body.version : undefined,
        commit: typeof body.commit === 'string' ? body.commit : undefined,
      };
  }
  return {};
}
