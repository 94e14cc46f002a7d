/** What each part of the staging drill reports, and the context they share. */
import type { ServiceConfig } from '../../config/service-schema';
import type { IncidentStore } from '../../rollback/ports/incident-store';
import type { Adapters } from '../../default-adapters';
import type { People } from '../people';
import type { SlackTranscript } from '../slack-transcript';
import type { StagingBot } from './staging-bot';
import type { StagingTarget } from './prepare';

export interface PartResult {
  readonly title: string;
  readonly passed: boolean;
  /** Facts for the report: what was done and measured. */
  readonly facts: string[];
  readonly problems: string[];
  readonly ms: number;
}

export interface StagingContext {
  readonly target: StagingTarget;
  readonly service: ServiceConfig;
  readonly bot: StagingBot;
  readonly adapters: Pick<Adapters, 'application'>;
  readonly transcript: SlackTranscript;
  readonly people: People;
  readonly store: IncidentStore;
  /** A folder of the drill's own (working clones, migration folders). */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** A PostgreSQL server the schema worker may make shadow databases on (the drill's own). */
  readonly shadowServerUrl: string;
  note(line: string): void;
}

/** Runs a part, timing it and turning a thrown error into a problem. */
export async function runPart(title: string, body: (facts: string[]) => Promise<string[]>): Promise<PartResult> {
  const started = Date.now();
  const facts: string[] = [];
  let problems: string[];
  try {
    problems = await body(facts);
  } catch (error) {
    problems = [`stopped by an error: ${error instanceof Error ? error.message : String(error)}`];
  }
  return { title, passed: problems.length === 0, facts, problems, ms: Date.now() - started };
}
