import type { FlagConfig } from '../config/service-schema';
import { RollbackError } from '../rollback/errors';

/** The Vercel token a flag names by variable, or the plain refusal that says which variable to set. */
export function flagToken(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  flag: FlagConfig,
  access: string,
): string {
  const token = env[name]?.trim();
  if (token) return token;
  throw new RollbackError(
    'config_invalid',
    `${name} is not set, so the bot cannot change or read the flag ${flag.name}; nothing was changed.`,
    {
      details: { missingEnv: name, flag: flag.name },
      fix: `Set ${name} to a Vercel token with access to ${access}, then restart the bot.`,
    },
  );
}
