/** The store contract: every case runs against the subject the caller gives (the fake, or PostgreSQL). */
import type { ContractSubject } from './contract-subject';
import { incidentContract } from './contract-incidents';
import { recordContract } from './contract-records';
import { stepContract } from './contract-steps';

export function storeContract(subject: () => ContractSubject): void {
  incidentContract(subject);
  recordContract(subject);
  stepContract(subject);
}

export { CONTRACT_CLAIM_LEASE_MS, CONTRACT_SERVICES, sleep } from './contract-subject';
