/**
 * The bot's commit messages. Humans read the first paragraphs; the trailers
 * let the bot recognise its own commits later (idempotency, crash
 * reconciliation) without keeping any state outside git.
 */
import { RollbackError } from '../rollback/errors';
import type { CommitSha, MigrationName } from '../rollback/ids';

export const TRAILER_INCIDENT = 'Rollback-Incident';
const TRAILER_REQUESTED_BY = 'Rollback-Requested-By';
const TRAILER_REVERTS = 'Rollback-Reverts';
const TRAILER_REMOVES_MIGRATION = 'Rollback-Removes-Migration';

const INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Incident ids go into trailers and a --grep pattern: one line, no spaces. */
export function checkIncidentId(incidentId: string): string {
  if (!INCIDENT_ID.test(incidentId)) {
    throw new RollbackError(
      'bad_input',
      `"${incidentId.slice(0, 40)}" cannot be used as an incident id in a commit message.`,
      {
        fix: 'Use the incident id the bot assigned (letters, digits, ".", "_", ":" or "-").',
      },
    );
  }
  return incidentId;
}

export interface RevertedCommit {
  readonly sha: CommitSha;
  readonly subject: string;
  readonly isMerge: boolean;
}

function oneLine(text: string, max = 72): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function trailers(incidentId: string, requestedBy: string, extra: readonly string[]): string {
  return [`${TRAILER_INCIDENT}: ${incidentId}`, `${TRAILER_REQUESTED_BY}: ${requestedBy}`, ...extra].join('\n');
}

export function revertMessage(input: {
  commits: readonly RevertedCommit[];
  incidentId: string;
  requestedBy: string;
  branch: string;
}): string {
  const { commits, incidentId, requestedBy } = input;
  const first = commits[0];
  if (!first) throw new RollbackError('internal', 'revertMessage needs at least one commit.');
  const title =
    commits.length === 1
      ? `Revert "${oneLine(first.subject, 60)}"`
      : `Revert ${commits.length} commits (${commits.at(-1)?.sha.slice(0, 7)}..${first.sha.slice(0, 7)})`;
  const body = commits
    .map((commit) =>
      commit.isMerge
        ? `This reverts merge commit ${commit.sha} ("${oneLine(commit.subject, 50)}"), ` +
          `undoing the changes it brought into ${input.branch} (mainline: its first ` +
          `parent).`
        : `This reverts commit ${commit.sha} ("${oneLine(commit.subject, 50)}").`,
    )
    .join('\n');
  const why = `Rollback for incident ${incidentId}, requested by ${requestedBy} through rollback-bot.`;
  const extra = commits.map((commit) => `${TRAILER_REVERTS}: ${commit.sha}`);
  return `${title}\n\n${body}\n\n${why}\n\n${trailers(incidentId, requestedBy, extra)}\n`;
}

export function removeMigrationMessage(input: {
  migration: MigrationName;
  migrationsDir: string;
  incidentId: string;
  requestedBy: string;
}): string {
  const title = `Remove migration ${input.migration}`;
  const body =
    `Removes ${input.migrationsDir}/${input.migration}, rolled back on the database ` +
    `for incident ${input.incidentId}, so the next deploy does not apply it again.`;
  const why = `Requested by ${input.requestedBy} through rollback-bot.`;
  const extra = [`${TRAILER_REMOVES_MIGRATION}: ${input.migration}`];
  return `${title}\n\n${body}\n\n${why}\n\n${trailers(input.incidentId, input.requestedBy, extra)}\n`;
}

/** `git log` format giving one record per commit: sha, then the bot's trailers, comma-separated. */
export const OWN_COMMIT_FORMAT = [
  '%H',
  `%(trailers:key=${TRAILER_INCIDENT},valueonly,separator=%x2C)`,
  `%(trailers:key=${TRAILER_REVERTS},valueonly,separator=%x2C)`,
  `%(trailers:key=${TRAILER_REMOVES_MIGRATION},valueonly,separator=%x2C)`,
].join('%x1f');

export interface OwnCommitRecord {
  readonly sha: CommitSha;
  readonly incidentIds: readonly string[];
  readonly reverted: readonly CommitSha[];
  readonly removedMigrations: readonly MigrationName[];
}

const list = (field: string | undefined): string[] =>
  (field ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);

export function parseOwnCommits(output: string): OwnCommitRecord[] {
  return output
    .split('\n')
    .filter((line) => line.includes('\x1f'))
    .map((line) => {
      const [sha = '', incidents, reverts, migrations] = line.split('\x1f');
      return {
        sha: sha.trim() as CommitSha,
        incidentIds: list(incidents),
        reverted: list(reverts) as CommitSha[],
        removedMigrations: list(migrations) as MigrationName[],
      };
    });
}
