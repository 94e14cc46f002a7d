/**
 * A new deployment of the Vercel stand-in, as Vercel first reports it: random ids, its commit's git metadata, a
 * healthy app and, when it builds, the states the build moves through.
 */
import { randomBytes } from 'node:crypto';
import type { BuildPlan, NewDeployment, StandinDeployment } from './state-types';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(length: number): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** `defaults`: the stand-in's build plan, for what `plan` leaves out. */
function buildOf(plan: Partial<BuildPlan>, defaults: BuildPlan): NonNullable<StandinDeployment['build']> {
  const outcome = plan.outcome ?? defaults.outcome;
  // A seat block stops the deployment before it builds.
  const steps = outcome === 'BLOCKED' ? ['BLOCKED'] : ['BUILDING', outcome];
  return {
    steps,
    readsPerStep: plan.readsPerStep ?? defaults.readsPerStep,
    reads: 0,
    blockCode: plan.blockCode ?? defaults.blockCode,
  };
}

/** `createdAt`: already later than the project's previous deployment; `buildPlan`: the stand-in's current one. */
export function newDeployment(
  projectName: string,
  input: NewDeployment,
  createdAt: number,
  buildPlan: BuildPlan,
): StandinDeployment {
  const target = input.target === undefined ? 'production' : input.target;
  const state = input.state ?? (input.build ? 'QUEUED' : 'READY');
  const commit = input.commit ?? randomBytes(20).toString('hex');
  const id = `dpl_${randomId(24)}`;
  const deployment: StandinDeployment = {
    id,
    url: input.url ?? `${projectName}-${randomId(9)}.vercel.app`,
    name: projectName,
    target,
    readyState: state,
    createdAt,
    creator: {
      uid: `usr_${randomId(12)}`,
      username: input.creator ?? 'amal',
      email: `${input.creator ?? 'amal'}@dr-amal.com`,
    },
    meta: {
      githubCommitSha: commit,
      githubCommitRef: 'main',
      githubCommitMessage: input.commitMessage ?? `commit ${commit.slice(0, 7)}`,
      ...input.meta,
    },
    servedProduction: input.servedProduction ?? (target === 'production' && state === 'READY'),
    aliasAssigned: null,
    aliasError: null,
    aliasCheck: undefined,
    seatBlock: undefined,
    assignment: undefined,
    app: {
      version: input.version ?? '1.0.0',
      commit: commit.slice(0, 7),
      deployedAt: new Date(createdAt).toISOString(),
      healthStatus: 200,
      errorRate: 0,
      latencyMs: 0,
      smokeStatus: 200,
      ...input.app,
    },
    build: input.build ? buildOf(input.build, buildPlan) : undefined,
  };
  if (deployment.servedProduction) deployment.aliasAssigned = createdAt;
  return deployment;
}
