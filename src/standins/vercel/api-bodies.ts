/**
 * The JSON bodies the Vercel stand-in answers with, in Vercel's shapes: a list
 * item of GET /v7/deployments, a full deployment (GET /v13/deployments/:id),
 * a project with its production target and rolling release.
 */
import type { StandinDeployment, StandinState } from './state';

/** Vercel's readySubstate: PROMOTED once a READY deployment served production, STAGED before. */
function readySubstate(d: StandinDeployment): string | undefined {
  if (d.readyState !== 'READY') return undefined;
  return d.servedProduction ? 'PROMOTED' : 'STAGED';
}

/** The fields both deployment shapes share. */
function common(state: StandinState, d: StandinDeployment): Record<string, unknown> {
  return {
    name: d.name,
    url: d.url,
    createdAt: d.createdAt,
    readyState: d.readyState,
    readySubstate: readySubstate(d),
    type: 'LAMBDAS',
    target: d.target,
    projectId: state.project.id,
    meta: d.meta,
    aliasError: d.aliasError,
    inspectorUrl: `https://vercel.com/${state.project.name}/${d.id}`,
    ...(d.seatBlock ? { seatBlock: d.seatBlock } : {}),
    ...(d.aliasCheck ? { checks: { 'deployment-alias': { state: d.aliasCheck, startedAt: d.createdAt } } } : {}),
  };
}

/** An item of GET /v7/deployments: the only shape that carries isRollbackCandidate; aliasAssigned is a time. */
export function listItem(state: StandinState, d: StandinDeployment): Record<string, unknown> {
  return {
    uid: d.id,
    ...common(state, d),
    created: d.createdAt,
    creator: d.creator,
    state: d.readyState,
    aliasAssigned: d.aliasAssigned,
    isRollbackCandidate: d.readyState === 'READY' && d.servedProduction,
  };
}

/** GET /v13/deployments/:id (and the create answer): aliasAssigned is a boolean, its time in aliasAssignedAt. */
export function fullDeployment(state: StandinState, d: StandinDeployment): Record<string, unknown> {
  const live = state.project.productionId === d.id;
  return {
    id: d.id,
    ...common(state, d),
    creator: { uid: d.creator.uid, username: d.creator.username },
    status: d.readyState,
    aliasAssigned: d.aliasAssigned !== null,
    aliasAssignedAt: d.aliasAssigned,
    alias: live ? [...state.project.domains] : [],
    public: false,
    version: 2,
    ownerId: state.project.teamId ?? 'usr_personal',
    plan: state.project.plan,
    createdIn: 'iad1',
    regions: ['iad1'],
    routes: null,
    env: [],
    build: { env: [] },
    bootedAt: d.createdAt,
    buildingAt: d.createdAt,
    buildSkipped: false,
    isInConcurrentBuildsQueue: false,
    isInSystemBuildsQueue: false,
    projectSettings: { framework: 'nextjs' },
  };
}

/** The compact deployment the project shows in `targets.production` and on its domains. */
function projectDeployment(state: StandinState, d: StandinDeployment): Record<string, unknown> {
  return {
    id: d.id,
    url: d.url,
    name: d.name,
    createdAt: d.createdAt,
    createdIn: 'iad1',
    creator: d.creator,
    deploymentHostname: d.url.replace(/\.vercel\.app$/, ''),
    plan: state.project.plan,
    private: true,
    readyState: d.readyState,
    readySubstate: readySubstate(d),
    type: 'LAMBDAS',
    target: d.target,
    meta: d.meta,
    aliasAssigned: d.aliasAssigned,
    aliasError: d.aliasError,
  };
}

export function project(state: StandinState, rollbackInfo: boolean): Record<string, unknown> {
  const production = state.production();
  const p = state.project;
  const compact = production ? projectDeployment(state, production) : null;
  return {
    id: p.id,
    name: p.name,
    accountId: p.teamId ?? 'usr_personal',
    framework: 'nextjs',
    nodeVersion: '22.x',
    directoryListing: false,
    defaultResourceConfig: { functionDefaultRegions: ['iad1'] },
    resourceConfig: { functionDefaultRegions: ['iad1'] },
    deploymentExpiration: {},
    autoAssignCustomDomains: p.autoAssignCustomDomains,
    // The configuration stays after a release ends; null when the project never had one.
    rollingRelease: p.releaseConfig
      ? { target: p.releaseConfig.target, stages: p.releaseConfig.stages.map((s) => ({ ...s })) }
      : p.rollingRelease || p.release
        ? { target: 'production', stages: [{ targetPercentage: 10, duration: 10 }, { targetPercentage: 100 }] }
        : null,
    alias: p.domains.map((domain) => ({
      domain,
      target: 'PRODUCTION',
      environment: 'production',
      deployment: compact,
    })),
    targets: { production: compact },
    ...(p.rollbackDescription ? { rollbackDescription: p.rollbackDescription } : {}),
    ...(rollbackInfo
      ? { lastAliasRequest: p.lastAliasRequest ? { ...p.lastAliasRequest } : null, lastRollbackTarget: null }
      : {}),
  };
}
