import { z } from 'zod';

/** An environment variable's NAME: the services file names secrets, it never holds them. */
export const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name such as APP_DATABASE_URL');
