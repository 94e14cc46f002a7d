/**
 * Branded identifiers: a commit SHA cannot be passed where a deployment id is
 * expected, and every value of these types went through its parser once.
 */
import { RollbackError } from './errors';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type CommitSha = Brand<string, 'CommitSha'>;
export type DeploymentId = Brand<string, 'DeploymentId'>;
export type IncidentId = Brand<string, 'IncidentId'>;
export type ServiceName = Brand<string, 'ServiceName'>;
export type SlackUserId = Brand<string, 'SlackUserId'>;
export type MigrationName = Brand<string, 'MigrationName'>;

const COMMIT = /^[0-9a-f]{7,40}$/;
const DEPLOYMENT = /^dpl_[A-Za-z0-9]+$/;
const SERVICE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const MIGRATION = /^[A-Za-z0-9_.-]{1,255}$/;

function parseWith<T extends string>(pattern: RegExp, what: string, expected: string, raw: string): T {
  const value = raw.trim();
  if (!pattern.test(value)) {
    throw new RollbackError('bad_input', `"${value.slice(0, 80)}" is not a valid ${what}.`, {
      fix: `Expected ${expected}.`,
    });
  }
  return value as T;
}

export const parseCommitSha = (raw: string): CommitSha =>
  parseWith<CommitSha>(COMMIT, 'commit id', '7 to 40 lowercase hex characters, e.g. b7920c6', raw.toLowerCase());
export const parseServiceName = (raw: string): ServiceName =>
  parseWith<ServiceName>(
    SERVICE,
    'service name',
    'lowercase letters, digits and dashes, e.g. dr-amal-clinical-os',
    raw,
  );
export const parseSlackUserId = (raw: string): SlackUserId =>
  parseWith<SlackUserId>(SLACK_USER, 'Slack user id', 'an id such as U024BE7LH', raw);
export const parseMigrationName = (raw: string): MigrationName =>
  parseWith<MigrationName>(
    MIGRATION,
    'migration name',
    'a Prisma migration folder name such as 20260117_add_ai_features',
    raw,
  );

export const isCommitSha = (raw: string): boolean => COMMIT.test(raw.trim().toLowerCase());
export const isDeploymentId = (raw: string): boolean => DEPLOYMENT.test(raw.trim());
