/**
 * The services file: one entry per service the bot guards. Every field is
 * validated here (the flags and the git blocks in flag-schema.ts and
 * git-schema.ts), once, at start; the rest of the code reads the parsed,
 * frozen result and never re-checks it.
 */
import { z } from 'zod';
import type { ServiceName } from '../rollback/ids';
import { DEFAULT_APPROVAL_MINUTES } from '../rollback/incident/approval-expiry';
import { DEFAULT_ROLLOUT_STAGES, DEFAULT_STABLE_HOURS } from '../rollback/release/release-plan';
import { envVarName } from './env-var-name';
import { type EdgeConfigFlag, type FlagConfig, type VercelFlag, flagSchema } from './flag-schema';
import { gitSchema, type githubRepoSchema, ticketsSchema } from './git-schema';

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as America/New_York' },
);

const timeOfDay = z.string().regex(TIME_OF_DAY, 'expected a 24-hour time such as 23:00');

/** A Slack user (U…/W…) or user group (S…) id. */
const slackPrincipal = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'expected a Slack user id (U…) or user-group id (S…)');

const path = z.string().regex(/^\//, 'expected a path starting with /');

const smokeTestSchema = z.strictObject({
  name: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  path,
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON body; string values of the form ${ENV_NAME} are filled from the environment when the test runs. */
  body: z.unknown().optional(),
  /** Statuses that count as a pass; default any 2xx. */
  expectStatus: z.array(z.number().int().min(100).max(599)).optional(),
  /**
   * This test signs in: when it fails in every probe of an interval, auth is
   * "completely broken" (a MUST trigger). Default: a test named like
   * sign-in, signin, login or auth; set false to opt such a test out.
   */
  signIn: z.boolean().optional(),
});

const vercelSchema = z.strictObject({
  projectId: z.string().min(1, 'expected the Vercel project id (prj_…) or name'),
  teamId: z.string().min(1).optional(),
  /** How production is moved back: Vercel's instant rollback (default) or a promote. */
  rollbackMethod: z.enum(['instant-rollback', 'promote']).default('instant-rollback'),
  /** Vercel's git integration builds every push to the deploy branch. */
  deploysOnPush: z.boolean().default(true),
  /** How long to wait for Vercel to move every production domain before saying "unknown". */
  aliasDeadlineSeconds: z.number().int().min(5).max(3600).default(180),
  /** How long to wait for a new deployment to build. */
  buildDeadlineSeconds: z.number().int().min(10).max(7200).default(900),
  /** Env var holding the project's "Protection Bypass for Automation" secret, sent to deployment URLs. */
  protectionBypassEnv: envVarName.optional(),
});

const productionSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://dr-amal.com' }),
  healthPath: path.default('/api/health'),
  versionPath: path.default('/api/version'),
  smokeTests: z.array(smokeTestSchema).default([]),
  /** How long verification may retry before it reports the failing check. */
  verifyDeadlineSeconds: z.number().int().min(1).max(1800).default(120),
  /**
   * Consecutive rounds in which health, version and smoke must all pass before production counts as restored: one
   * passing sample is no proof.
   */
  verifyRounds: z.number().int().min(1).max(20).default(3),
});

const databaseSchema = z.strictObject({
  /** Env var holding the app database's URL (never the URL itself: it carries a password). */
  urlEnv: envVarName,
  /** Prisma migrations folder, relative to the repository root. */
  migrationsDir: z.string().min(1).default('prisma/migrations'),
  /** Table a database-write probe may insert into and delete from (optional). */
  writeProbeTable: z.string().min(1).optional(),
});

/**
 * Where `rollback-bot drill --service` runs: the service's staging targets.
 * The drill refuses when one of them is production's (same project, URL,
 * branch or database).
 */
const stagingSchema = z.strictObject({
  /** The staging Vercel project (prj_… or name), in vercel.teamId unless teamId says otherwise. */
  projectId: z.string().min(1, 'expected the staging Vercel project id (prj_…) or name'),
  teamId: z.string().min(1).optional(),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://staging.dr-amal.com' }),
  /** The branch staging deploys from; the drill's throwaway branch is made from it. */
  branch: z.string().regex(/^[A-Za-z0-9._/-]+$/, 'expected a branch name such as staging'),
  /** Env var holding the staging database's URL (the schema rollback part runs there). */
  databaseUrlEnv: envVarName.optional(),
});

const rolesSchema = z.strictObject({
  devopsLead: z.array(slackPrincipal).min(1, 'name at least one DevOps lead'),
  dba: z.array(slackPrincipal).default([]),
  cto: z.array(slackPrincipal).min(1, 'name at least one CTO: schema rollbacks need their approval'),
  onCall: z.array(slackPrincipal).default([]),
});

const workingHoursSchema = z.strictObject({
  timeZone: timeZone.default('America/New_York'),
  days: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  start: timeOfDay.default('09:00'),
  end: timeOfDay.default('18:00'),
});

const deployWindowSchema = z.strictObject({
  timeZone: timeZone.default('America/New_York'),
  start: timeOfDay.default('23:00'),
  end: timeOfDay.default('05:00'),
});

/** A stage of a progressive rollout: the canary's share of production traffic, watched before the next. */
const rolloutStageSchema = z.strictObject({
  percent: z.number().int().min(1).max(100),
  watchMinutes: z.number().int().min(1).max(1440).default(30),
  /** A person clicks Approve before the release goes past this stage (after its watch time). */
  requireApproval: z.boolean().default(false),
});

const rolloutSchema = z
  .strictObject({
    stages: z.array(rolloutStageSchema).min(1).max(10).default(DEFAULT_ROLLOUT_STAGES),
    /** Where the candidate's smoke tests run before a release; default staging.url. */
    stagingUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://staging.dr-amal.com' })
      .optional(),
    /** Hours at 100% without an incident before the release's deployment becomes last known good. */
    stableHours: z.number().int().min(1).max(168).default(DEFAULT_STABLE_HOURS),
  })
  .refine((r) => r.stages.every((s, i) => i === 0 || s.percent > (r.stages[i - 1]?.percent ?? 0)), {
    message: 'rollout.stages must raise percent at every stage',
  })
  .refine((r) => r.stages[r.stages.length - 1]?.percent === 100, {
    message: 'the last rollout stage must be 100 percent',
  });

/** The runbook's trigger thresholds, per service, with the runbook's values as defaults. */
const triggersSchema = z.strictObject({
  fiveXxRateMust: z.number().min(0).max(1).default(0.25),
  fiveXxMustForSeconds: z.number().int().min(1).default(120),
  featureErrorRateShould: z.number().min(0).max(1).default(0.1),
  p95DegradationShould: z.number().min(0).default(0.5),
  evaluationIntervalSeconds: z.number().int().min(5).default(30),
  /**
   * Consecutive failing probe runs before a failed sign-in or database write is a MUST (alerts that declare it count at
   * once).
   */
  probeFailuresMust: z.number().int().min(1).max(100).default(2),
});

export const serviceSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and dashes'),
  displayName: z.string().min(1).optional(),
  vercel: vercelSchema,
  production: productionSchema,
  git: gitSchema,
  database: databaseSchema.optional(),
  staging: stagingSchema.optional(),
  tickets: ticketsSchema.optional(),
  slack: z.strictObject({
    alertsChannel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel id such as C0123ABCD'),
    /**
     * App Home shows this service's incidents to everyone in the workspace (small teams); default only to people who
     * hold one of its roles.
     */
    homeShowsEveryone: z.boolean().default(false),
  }),
  roles: rolesSchema,
  // prefault: an absent block is parsed as {}, so each default is written once, on its field.
  workingHours: workingHoursSchema.prefault({}),
  deployWindow: deployWindowSchema.prefault({}),
  approvals: z
    .strictObject({ expireAfterMinutes: z.number().int().min(1).max(1440).default(DEFAULT_APPROVAL_MINUTES) })
    .prefault({}),
  /** Feature flags the bot may turn off instead of rolling back (`/rollback flag`). */
  flags: z.array(flagSchema).default([]),
  /** Progressive rollout with /rollout; absent: the runbook's default stages. */
  rollout: rolloutSchema.optional(),
  /** On a MUST trigger, roll back at once instead of paging the owner. */
  autopilot: z.boolean().default(false),
  /** A deployment that served this long without an incident becomes last known good. */
  lastKnownGoodAfterMinutes: z.number().int().min(1).default(60),
  triggers: triggersSchema.prefault({}),
});

export const servicesFileSchema = z
  .strictObject({ services: z.array(serviceSchema).min(1, 'name at least one service') })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.services.forEach((service, index) => {
      if (service.git.via === 'pull-request' && !service.git.github) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'git', 'github'],
          message: 'git.via: pull-request needs git.github (owner, repo and credentials)',
        });
      }
      const ticket = service.tickets?.github;
      if (ticket && !ticket.tokenEnv && !ticket.app && !service.git.github) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'tickets', 'github'],
          message: 'tickets.github needs credentials (tokenEnv or app) or git.github to borrow them from',
        });
      }
      const flagNames = service.flags.map((flag) => flag.name);
      flagNames.forEach((name, flagIndex) => {
        if (flagNames.indexOf(name) !== flagIndex) {
          const path = ['services', index, 'flags', flagIndex, 'name'];
          ctx.addIssue({ code: 'custom', path, message: `duplicate flag "${name}"` });
        }
      });
      service.flags.forEach((flag, flagIndex) => {
        if (flag.provider === 'edge-config' && JSON.stringify(flag.values.on) === JSON.stringify(flag.values.off)) {
          const path = ['services', index, 'flags', flagIndex, 'values'];
          ctx.addIssue({ code: 'custom', path, message: 'values.on and values.off must differ' });
        }
      });
      if (seen.has(service.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'name'],
          message: `duplicate service name "${service.name}"`,
        });
      }
      seen.add(service.name);
    });
  });

type RawService = z.infer<typeof serviceSchema>;

export type ServiceConfig = Readonly<Omit<RawService, 'name'> & { name: ServiceName }>;
export type SmokeTest = z.infer<typeof smokeTestSchema>;
export type TriggerSettings = z.infer<typeof triggersSchema>;
export type { EdgeConfigFlag, FlagConfig, VercelFlag };
export type GitHubRepoConfig = z.infer<typeof githubRepoSchema>;
export type GitHubAccess = Pick<GitHubRepoConfig, 'tokenEnv' | 'app'>;
