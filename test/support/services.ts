/** Service configs for tests, built from the shipped example with overrides. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseServicesFile } from '../../src/config/load-config';
import type { ServiceConfig } from '../../src/config/service-schema';

export const EXAMPLE_CONFIG_PATH = join(__dirname, '../../rollback.config.example.yaml');

type Overrides = Record<string, unknown>;

function merge(base: Record<string, unknown>, overrides: Overrides): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
        ? merge(current as Record<string, unknown>, value as Overrides)
        : value;
  }
  return out;
}

/** The raw YAML object of the example's first service, with overrides merged in. */
export function exampleServiceRaw(overrides: Overrides = {}): Record<string, unknown> {
  const file = parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as { services: Record<string, unknown>[] };
  return merge(file.services[0] as Record<string, unknown>, overrides);
}

export function servicesYaml(services: Record<string, unknown>[]): string {
  return stringify({ services });
}

export function exampleService(overrides: Overrides = {}): ServiceConfig {
  const [service] = parseServicesFile(servicesYaml([exampleServiceRaw(overrides)]), 'test');
  return service as ServiceConfig;
}
