/**
 * The stand-in's REST routes for reading and moving production, answering as
 * Vercel does: bearer token, teamId for team projects, paging with `until`,
 * 201/202/402/409 on moves, `{"error":{"code","message"}}` bodies.
 */
import type { ServerResponse } from 'node:http';
import { sendError, sendJson } from './http-util';
import { fullDeployment, listItem, project } from './api-bodies';
import { handleRollingRelease, tickRelease } from './rolling-release-routes';
import type { StandinState } from './state';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
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
  const projectFound = (idOrName: string) =>
    matchesProject(state, idOrName) ? checkTeam(state, query, res, 'Project') : !notFound(res, 'Project');
  if (handleRollingRelease(state, req, res, projectFound)) return true;
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
    return sendError(
      res,
      400,
      'bad_request',
      'Invalid request: `limit` must be an integer from 1 to 100 and `until` a timestamp in milliseconds.',
    );
  }
  const projectId = query.get('projectId');
  if (projectId !== null && !matchesProject(state, projectId))
    return sendError(res, 404, 'not_found', 'Project not found');
  if (!checkTeam(state, query, res, 'Project')) return;
  const target = query.get('target');
  if (target !== null && target !== 'production' && target !== 'preview') {
    return sendError(
      res,
      400,
      'bad_request',
      'Invalid request: `target` should be equal to one of the allowed values "production", "preview".',
    );
  }
  const states = query
    .get('state')
    ?.split(',')
    .map((s) => s.trim().toUpperCase());
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
    pagination: {
      count: page.length,
      next: matching.length > limit && last ? last.createdAt : null,
      prev: page[0]?.createdAt ?? null,
    },
  });
}

function teamMembers(state: StandinState, teamId: string, query: URLSearchParams, res: ServerResponse): void {
  if (teamId !== state.project.teamId) return sendError(res, 403, 'forbidden', 'Not authorized', { teamId });
  const search = query.get('search')?.toLowerCase() ?? '';
  const members = state.teamMembers
    .filter((m) => m.email.toLowerCase().includes(search) || m.username.toLowerCase().includes(search))
    .map((m, i) => ({ ...m, uid: `usr_member${i}`, confirmed: true, createdAt: 1_700_000_000_000, role: m.role }));
  sendJson(res, 200, { members, pagination: { hasNext: false, count: members.length, next: null, prev: null } });
}

function move(
  state: StandinState,
  kind: 'promote' | 'rollback',
  projectId: string,
  deploymentId: string,
  query: URLSearchParams,
  res: ServerResponse,
): void {
  if (!matchesProject(state, projectId)) return sendError(res, 404, 'not_found', 'Project not found');
  if (!checkTeam(state, query, res, 'Project')) return;
  const target = state.deployments.get(deploymentId);
  if (!target) return sendError(res, 404, 'not_found', 'Deployment not found');
  if (target.readyState !== 'READY')
    return sendError(res, 400, 'bad_request', `Deployment ${deploymentId} is not ready (${target.readyState}).`);
  if (state.jobRunning()) {
    return sendError(res, 409, 'conflict', 'A promote or rollback is already in progress for this project.');
  }
  if (state.project.productionId === deploymentId) {
    return sendError(res, 409, 'conflict', 'This deployment is already the current production deployment.');
  }
  if (kind === 'rollback') {
    if (target.target !== 'production' || !target.servedProduction) {
      return sendError(
        res,
        400,
        'bad_request',
        'Only deployments previously aliased to production can be rolled back to.',
      );
    }
    if (state.project.plan === 'hobby' && state.previousProduction()?.id !== deploymentId) {
      return sendError(
        res,
        402,
        'payment_required',
        'To roll back further than the previous production deployment, upgrade to Pro.',
      );
    }
  } else if (target.target !== 'production') {
    return sendError(res, 400, 'bad_request', 'Preview deployments cannot be promoted without a rebuild.');
  }
  if (kind === 'rollback' && query.has('description')) {
    state.project.rollbackDescription = {
      description: query.get('description') ?? '',
      createdAt: state.clock.now().getTime(),
      userId: 'usr_bot',
      username: 'rollback-bot',
    };
  }
  tickRelease(state);
  const release = state.project.release;
  if (kind === 'promote' && state.project.releaseConfig && release?.state !== 'ACTIVE') {
    // With rolling releases configured, promoting to production starts a release of the deployment.
    state.startRollingRelease(target);
    return sendJson(res, 201, undefined);
  }
  state.startJob(kind, target);
  // An instant rollback is how Vercel aborts a rolling release.
  if (kind === 'rollback' && release?.state === 'ACTIVE') {
    release.state = 'ABORTED';
    state.project.rollingRelease = false;
  }
  sendJson(res, kind === 'promote' && state.project.rollingRelease ? 202 : 201, undefined);
}

/**
 * promote/aliases names each alias as a string; rollback/aliases as `{alias, deploymentId}`, as Vercel's CLI reads
 * them.
 */
function aliasStatuses(
  state: StandinState,
  kind: 'promote' | 'rollback',
  query: URLSearchParams,
  res: ServerResponse,
): void {
  const limit = query.has('limit') ? Number(query.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return sendError(res, 400, 'bad_request', 'Invalid request: `limit` must be an integer from 1 to 100.');
  }
  const failedOnly = query.get('failedOnly') === 'true';
  const aliases = state.project.aliasStatuses
    .filter((a) => !failedOnly || a.status === 'failed')
    .map((a, index) => ({
      alias:
        kind === 'promote'
          ? a.alias
          : { alias: a.alias, deploymentId: state.project.lastAliasRequest?.toDeploymentId ?? null },
      status: a.status,
      id: `alias_${index}`,
    }));
  const page = aliases.slice(0, limit);
  sendJson(res, 200, { aliases: page, pagination: { count: page.length, next: null, prev: null } });
}
