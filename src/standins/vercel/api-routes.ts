/**
 * The stand-in's REST routes for reading and moving production, answering as
 * Vercel does: bearer token, teamId for team projects, paging with `until`,
 * 201/202/402/409 on moves, `{"error":{"code","message"}}` bodies.
 */
import type { ServerResponse } from 'node:http';
import { sendError, sendJson } from './http-util';
import type { StandinDeployment, StandinState } from './state';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

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

/** Checks teamId the way Vercel scopes a team's resources; true when the request may go on. */
export function checkTeam(state: StandinState, query: URLSearchParams, res: ServerResponse, what: string): boolean {
  const teamId = query.get('teamId') ?? undefined;
  if (teamId === state.project.teamId) return true;
  if (teamId === undefined) {
    sendError(res, 404, 'not_found', `${what} not found`);
  } else {
    sendError(res, 403, 'forbidden', 'Not authorized', { teamId });
  }
  return false;
}

function notFound(res: ServerResponse, what: string): true {
  sendError(res, 404, 'not_found', `${what} not found`);
  return true;
}

function matchesProject(state: StandinState, idOrName: string): boolean {
  return idOrName === state.project.id || idOrName === state.project.name;
}

export function handleApi(state: StandinState, req: ApiRequest, res: ServerResponse): boolean {
  const { method, path, query } = req;
  let m: RegExpMatchArray | null;
  if (method === 'GET' && path === '/v7/deployments') {
    listDeployments(state, query, res);
  } else if (method === 'GET' && (m = path.match(/^\/v13\/deployments\/([^/]+)$/))) {
    if (!checkTeam(state, query, res, 'Deployment')) return true;
    const deployment = state.find(decodeURIComponent(m[1] as string));
    if (!deployment) return notFound(res, 'Deployment');
    state.tickBuild(deployment);
    sendJson(res, 200, fullDeployment(state, deployment));
  } else if (method === 'GET' && (m = path.match(/^\/v9\/projects\/([^/]+)$/))) {
    if (!matchesProject(state, decodeURIComponent(m[1] as string))) return notFound(res, 'Project');
    if (!checkTeam(state, query, res, 'Project')) return true;
    state.tickJob();
    sendJson(res, 200, project(state, query.get('rollbackInfo') === 'true'));
  } else if (method === 'GET' && (m = path.match(/^\/v1\/projects\/([^/]+)\/rolling-release$/))) {
    if (!matchesProject(state, decodeURIComponent(m[1] as string))) return notFound(res, 'Project');
    if (!checkTeam(state, query, res, 'Project')) return true;
    sendJson(res, 200, { rollingRelease: rollingRelease(state) });
  } else if (method === 'GET' && (m = path.match(/^\/v3\/teams\/([^/]+)\/members$/))) {
    teamMembers(state, decodeURIComponent(m[1] as string), query, res);
  } else if (method === 'POST' && (m = path.match(/^\/v10\/projects\/([^/]+)\/promote\/([^/]+)$/))) {
    move(state, 'promote', decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string), query, res);
  } else if (method === 'POST' && (m = path.match(/^\/v1\/projects\/([^/]+)\/rollback\/([^/]+)$/))) {
    move(state, 'rollback', decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string), query, res);
  } else if (method === 'GET' && (m = path.match(/^\/v1\/projects\/([^/]+)\/(promote|rollback)\/aliases$/))) {
    if (!matchesProject(state, decodeURIComponent(m[1] as string))) return notFound(res, 'Project');
    if (!checkTeam(state, query, res, 'Project')) return true;
    aliasStatuses(state, m[2] as 'promote' | 'rollback', query, res);
  } else {
    return false;
  }
  return true;
}

function listDeployments(state: StandinState, query: URLSearchParams, res: ServerResponse): void {
  const limit = query.has('limit') ? Number(query.get('limit')) : 20;
  const until = query.has('until') ? Number(query.get('until')) : undefined;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || (until !== undefined && !Number.isFinite(until))) {
    return sendError(res, 400, 'bad_request', 'Invalid request: `limit` must be an integer from 1 to 100 and `until` a timestamp in milliseconds.');
  }
  const projectId = query.get('projectId');
  if (projectId !== null && !matchesProject(state, projectId)) return sendError(res, 404, 'not_found', 'Project not found');
  if (!checkTeam(state, query, res, 'Project')) return;
  const target = query.get('target');
  if (target !== null && target !== 'production' && target !== 'preview') {
    return sendError(res, 400, 'bad_request', 'Invalid request: `target` should be equal to one of the allowed values "production", "preview".');
  }
  const states = query.get('state')?.split(',').map((s) => s.trim().toUpperCase());
  const sha = query.get('sha')?.toLowerCase();
  const candidatesOnly = query.get('rollbackCandidate') === 'true';
  for (const d of state.deployments.values()) state.tickBuild(d);
  const matching = [...state.deployments.values()]
    .filter((d) => (target === null ? true : target === 'production' ? d.target === 'production' : d.target === null))
    .filter((d) => !states || states.includes(d.readyState))
    .filter((d) => sha === undefined || Object.values(d.meta).some((v) => v.toLowerCase() === sha))
    .filter((d) => !candidatesOnly || (d.readyState === 'READY' && d.servedProduction))
    .filter((d) => until === undefined || d.createdAt < until)
    .sort((a, b) => b.createdAt - a.createdAt);
  const page = matching.slice(0, limit);
  const last = page[page.length - 1];
  sendJson(res, 200, {
    deployments: page.map((d) => listItem(state, d)),
    pagination: { count: page.length, next: matching.length > limit && last ? last.createdAt : null, prev: page[0]?.createdAt ?? null },
  });
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

function rollingRelease(state: StandinState): Record<string, unknown> | null {
  const release = state.project.release;
  const base = release && state.deployments.get(release.baseId);
  const canary = release && state.deployments.get(release.canaryId);
  if (!release || !base || !canary) return null;
  const stage = (index: number, targetPercentage: number) => ({ index, targetPercentage, duration: null, requireApproval: true, isFinalStage: targetPercentage === 100 });
  const short = (d: StandinDeployment) => ({ id: d.id, name: d.name, url: d.url, readyState: d.readyState, createdAt: d.createdAt });
  return {
    state: release.state,
    substate: null,
    advancementType: 'manual-approval',
    currentDeployment: { ...short(base), target: base.target },
    canaryDeployment: short(canary),
    queuedDeploymentId: null,
    stages: [stage(0, 10), stage(1, 100)],
    activeStage: stage(0, 10),
    nextStage: stage(1, 100),
    startedAt: release.startedAt,
    updatedAt: release.startedAt,
  };
}

function teamMembers(state: StandinState, teamId: string, query: URLSearchParams, res: ServerResponse): void {
  if (teamId !== state.project.teamId) return sendError(res, 403, 'forbidden', 'Not authorized', { teamId });
  const search = query.get('search')?.toLowerCase() ?? '';
  const members = state.teamMembers
    .filter((m) => m.email.toLowerCase().includes(search) || m.username.toLowerCase().includes(search))
    .map((m, i) => ({ ...m, uid: `usr_member${i}`, confirmed: true, createdAt: 1_700_000_000_000, role: m.role }));
  sendJson(res, 200, { members, pagination: { hasNext: false, count: members.length, next: null, prev: null } });
}

function project(state: StandinState, rollbackInfo: boolean): Record<string, unknown> {
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
    rollingRelease: p.rollingRelease || p.release ? { target: 'production', stages: [{ targetPercentage: 10, duration: 10 }, { targetPercentage: 100 }] } : null,
    alias: p.domains.map((domain) => ({ domain, target: 'PRODUCTION', environment: 'production', deployment: compact })),
    targets: { production: compact },
    ...(p.rollbackDescription ? { rollbackDescription: p.rollbackDescription } : {}),
    ...(rollbackInfo ? { lastAliasRequest: p.lastAliasRequest ? { ...p.lastAliasRequest } : null, lastRollbackTarget: null } : {}),
  };
}

function move(state: StandinState, kind: 'promote' | 'rollback', projectId: string, deploymentId: string, query: URLSearchParams, res: ServerResponse): void {
  if (!matchesProject(state, projectId)) return sendError(res, 404, 'not_found', 'Project not found');
  if (!checkTeam(state, query, res, 'Project')) return;
  const target = state.deployments.get(deploymentId);
  if (!target) return sendError(res, 404, 'not_found', 'Deployment not found');
  if (target.readyState !== 'READY') return sendError(res, 400, 'bad_request', `Deployment ${deploymentId} is not ready (${target.readyState}).`);
  if (state.jobRunning()) {
    return sendError(res, 409, 'conflict', 'A promote or rollback is already in progress for this project.');
  }
  if (state.project.productionId === deploymentId) {
    return sendError(res, 409, 'conflict', 'This deployment is already the current production deployment.');
  }
  if (kind === 'rollback') {
    if (target.target !== 'production' || !target.servedProduction) {
      return sendError(res, 400, 'bad_request', 'Only deployments previously aliased to production can be rolled back to.');
    }
    if (state.project.plan === 'hobby' && state.previousProduction()?.id !== deploymentId) {
      return sendError(res, 402, 'payment_required', 'To roll back further than the previous production deployment, upgrade to Pro.');
    }
  } else if (target.target !== 'production') {
    return sendError(res, 400, 'bad_request', 'Preview deployments cannot be promoted without a rebuild.');
  }
  if (kind === 'rollback' && query.has('description')) {
    state.project.rollbackDescription = { description: query.get('description') ?? '', createdAt: state.clock.now().getTime(), userId: 'usr_bot', username: 'rollback-bot' };
  }
  state.startJob(kind, target);
  const release = state.project.release;
  // An instant rollback is how Vercel aborts a rolling release.
  if (kind === 'rollback' && release?.state === 'ACTIVE') {
    release.state = 'ABORTED';
    state.project.rollingRelease = false;
  }
  sendJson(res, kind === 'promote' && state.project.rollingRelease ? 202 : 201, undefined);
}

/** promote/aliases names each alias as a string; rollback/aliases as `{alias, deploymentId}`, as Vercel's CLI reads them. */
function aliasStatuses(state: StandinState, kind: 'promote' | 'rollback', query: URLSearchParams, res: ServerResponse): void {
  const limit = query.has('limit') ? Number(query.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return sendError(res, 400, 'bad_request', 'Invalid request: `limit` must be an integer from 1 to 100.');
  }
  const failedOnly = query.get('failedOnly') === 'true';
  const aliases = state.project.aliasStatuses
    .filter((a) => !failedOnly || a.status === 'failed')
    .map((a, index) => ({
      alias: kind === 'promote' ? a.alias : { alias: a.alias, deploymentId: state.project.lastAliasRequest?.toDeploymentId ?? null },
      status: a.status,
      id: `alias_${index}`,
    }));
  const page = aliases.slice(0, limit);
  sendJson(res, 200, { aliases: page, pagination: { count: page.length, next: null, prev: null } });
}
