/**
 * The services file's `flags:`: feature flags the bot may turn off instead of
 * rolling back, held in a Vercel Edge Config item or in Vercel Flags.
 */
import { z } from 'zod';
import { envVarName } from './env-var-name';

/** A JSON value an Edge Config item may hold for "on" or "off". */
const flagValue = z.union([z.boolean(), z.number(), z.string()]);

/** What every flag has, whatever holds it. */
const flagCommon = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected lowercase letters, digits, dashes and underscores'),
  /** What the flag switches, in words people and alerts use ("AI clinical notes"). */
  description: z.string().min(1).max(200),
  /** Words an alert may name for this feature (case-insensitive); the name and description count too. */
  features: z.array(z.string().min(2).max(80)).default([]),
  /** How long the bot reads the flag back before it says the change did not show. */
  readBackSeconds: z.number().int().min(1).max(600).default(30),
};

/** A flag held in a Vercel Edge Config item (the app reads the item). */
const edgeConfigFlagSchema = z.strictObject({
  ...flagCommon,
  provider: z.literal('edge-config'),
  edgeConfig: z.strictObject({
    id: z.string().regex(/^ecfg_[\w-]+$/, 'expected an Edge Config id such as ecfg_abc123'),
    /** The item that holds the flag. */
    key: z.string().regex(/^[\w-]{1,256}$/, 'expected an Edge Config item key (letters, digits, _ and -)'),
    /** The team that owns the Edge Config; default vercel.teamId. */
    teamId: z.string().min(1).optional(),
    /** Env var with a Vercel token that may write the Edge Config; default VERCEL_TOKEN. */
    tokenEnv: envVarName.default('VERCEL_TOKEN'),
    /**
     * Env var with the Edge Config's read access token: the bot then reads the flag back
     * where the app reads it (eventually consistent) instead of from the REST API.
     */
    readTokenEnv: envVarName.optional(),
  }),
  /** The item's value for each state. */
  values: z.strictObject({ on: flagValue, off: flagValue }).default({ on: true, off: false }),
});

/**
 * A flag of Vercel Flags (the project's feature flags): off pauses the flag in
 * the environment, serving `offVariant` to everyone; on resumes its rules.
 */
const vercelFlagSchema = z.strictObject({
  ...flagCommon,
  provider: z.literal('vercel-flags'),
  vercelFlags: z.strictObject({
    /** The flag's slug (or id) in Vercel. */
    flag: z.string().regex(/^[\w.-]{1,256}$/, "expected the flag's slug or id in Vercel"),
    /** The project that owns the flag; default vercel.projectId, in vercel.teamId unless teamId says otherwise. */
    projectId: z.string().min(1).optional(),
    teamId: z.string().min(1).optional(),
    tokenEnv: envVarName.default('VERCEL_TOKEN'),
    environment: z.string().min(1).max(64).default('production'),
    /** The variant everyone gets while the flag is off (paused), e.g. "off". */
    offVariant: z.string().min(1).max(256),
  }),
});

/**
 * A feature flag the bot may turn off (the runbook's "Feature Flag: disable
 * broken feature without rollback") and on again. Credentials by env var name.
 */
export const flagSchema = z.discriminatedUnion('provider', [edgeConfigFlagSchema, vercelFlagSchema]);

export type FlagConfig = z.infer<typeof flagSchema>;
export type EdgeConfigFlag = z.infer<typeof edgeConfigFlagSchema>;
export type VercelFlag = z.infer<typeof vercelFlagSchema>;
