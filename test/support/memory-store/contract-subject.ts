/**
 * What the store contract cases run against: the in-memory fake or the
 * PostgreSQL adapter, with a way to let time pass for each (the fake's clock
 * moves; PostgreSQL's now() is waited for), and builders of their inputs.
 */
import type { NewIncident } from '../../../src/rollback/ports/incident-store';
import { newIncident } from '../store-builders';
import type { EngineStore, FollowUpRecords } from '../../../src/rollback/ports/store-roles';

export interface ContractSubject {
  readonly store: EngineStore & FollowUpRecords;
  /** Lets `ms` pass for the store's own clock (leases, claims, default times). */
  pass(ms: number): Promise<void>;
  /** The store's idea of now, for comparing the times it wrote. */
  now(): Date;
}

/** Services both subjects know (the PostgreSQL one registers them in its services table). */
export const CONTRACT_SERVICES = ['svc-contract-a', 'svc-contract-b', 'svc-contract-c'] as const;
export const [SERVICE_A, SERVICE_B, SERVICE_C] = CONTRACT_SERVICES;

/** Short enough that waiting for it keeps the PostgreSQL run quick, long enough to outlast a few queries. */
export const CONTRACT_CLAIM_LEASE_MS = 400;
export const SHORT_LEASE_MS = 400;
export const LONG_LEASE_MS = 60_000;

/** A new incident of `service`. */
export const anIncident = (service: string, overrides: Partial<NewIncident> = {}): NewIncident =>
  newIncident({ service, ...overrides });

export { planSteps as someSteps } from '../store-builders';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
