/**
 * The stand-in's Rolling Releases API, with Vercel's semantics: the project's
 * configuration (PATCH/GET .../rolling-release/config) is a template for the next
 * release; a release starts with POST .../start (or a promote while configured)
 * at the first stage; a stage with a `duration` (minutes) ends by itself when its
 * time is up, on the stand-in's clock, read lazily on every request (as
 * asynchronous as Vercel's); a stage without one waits for approve-stage;
 * reaching the final stage or POST .../complete completes it; an instant
 * rollback aborts it (see api-routes.ts). While ACTIVE the production domains
 * send the active stage's share of requests to the canary.
 */
import type { ServerResponse } from 'node:http';
import type { ApiRequest } from './api-routes';
import { parseJson, sendError, sendJson } from './http-util';
import type { ReleaseStage, StandinDeployment, StandinRelease, StandinState } from './state';

const MINUTE_MS = 60_000;

/** A release started without a configuration: 10%, waiting for approval, then 100%. */
export const UNCONFIGURED_STAGES = [{ targetPercentage: 10, requireApproval: true }, { targetPercentage: 100 }];

/** Moves an ACTIVE release through every timed stage whose duration has passed; the final stage completes it. */
export function tickRelease(state: StandinState): void {
  const release = state.project.release;
  if (release?.state !== 'ACTIVE') return;
  const now = state.clock.now().getTime();
  for (;;) {
    const stage = release.stages[release.activeIndex];
    if (!stage || stage.requireApproval || stage.duration === undefined) return;
    const endsAt = release.stageStartedAt + stage.duration * MINUTE_MS;
    if (now < endsAt) return;
    enterStage(state, release, release.activeIndex + 1, endsAt);
    if (release.state !== 'ACTIVE') return;
  }
}

function enterStage(state: StandinState, release: StandinRelease, index: number, at: number): void {
  release.activeIndex = index;
  release.stageStartedAt = at;
  release.updatedAt = at;
  const isFinal = index >= release.stages.length - 1;
  if (isFinal) finish(state, release, at);
}

function finish(state: StandinState, release: StandinRelease, at: number): void {
  release.state = 'COMPLETE';
  release.activeIndex = release.stages.length - 1;
  release.updatedAt = at;
  state.project.rollingRelease = false;
}

/** The share of production traffic (0-100) the canary gets now. */
function canaryShare(state: StandinState): number {
  tickRelease(state);
  const release = state.project.release;
  if (release?.state !== 'ACTIVE') return 0;
  return release.stages[release.activeIndex]?.targetPercentage ?? 0;
}

/**
 * The deployment a request to the production domains reaches: during a release the canary for exactly its
 * share of requests (request n goes to the canary when floor(n·share/100) steps up), the base for the rest.
 */
export function servingDeployment(state: StandinState): StandinDeployment | undefined {
  const share = canaryShare(state);
  const release = state.project.release;
  if (!release || release.state !== 'ACTIVE') return state.production();
  release.served += 1;
  const n = release.served;
  const toCanary = Math.floor((n * share) / 100) > Math.floor(((n - 1) * share) / 100);
  return state.deployments.get(toCanary ? release.canaryId : release.baseId);
}

function stageJson(stages: readonly ReleaseStage[], index: number): Record<string, unknown> | null {
  const stage = stages[index];
  if (!stage) return null;
  return {
    index,
    targetPercentage: stage.targetPercentage,
    duration: stage.duration ?? null,
    requireApproval: stage.requireApproval ?? stage.duration === undefined,
    isFinalStage: index === stages.length - 1,
    ...(stage.linearShift !== undefined ? { linearShift: stage.linearShift } : {}),
  };
}

function shortDeployment(d: StandinDeployment): Record<string, unknown> {
  return { id: d.id, name: d.name, url: d.url, readyState: d.readyState, createdAt: d.createdAt, target: d.target };
}

/** The release document as GET .../rolling-release and the action endpoints return it. */
function releaseJson(state: StandinState, release: StandinRelease): Record<string, unknown> | null {
  const base = state.deployments.get(release.baseId);
  const canary = state.deployments.get(release.canaryId);
  if (!base || !canary) return null;
  const active = release.state === 'ACTIVE';
  const automatic = release.stages.slice(0, -1).every((s) => s.duration !== undefined && !s.requireApproval);
  return {
    state: release.state,
    substate: null,
    advancementType: automatic ? 'automatic' : 'manual-approval',
    // Once complete the canary is what production serves.
    currentDeployment: shortDeployment(release.state === 'COMPLETE' ? canary : base),
    canaryDeployment: shortDeployment(canary),
    queuedDeploymentId: null,
    stages: release.stages.map((_, i) => stageJson(release.stages, i)),
    activeStage: release.state === 'ABORTED' ? null : stageJson(release.stages, release.activeIndex),
    nextStage: active ? stageJson(release.stages, release.activeIndex + 1) : null,
    startedAt: release.startedAt,
    updatedAt: release.updatedAt,
  };
}

function configJson(state: StandinState): Record<string, unknown> | null {
  const config = state.project.releaseConfig;
  return config ? { target: config.target, stages: config.stages.map((s) => ({ ...s })) } : null;
}

/** Why a stage list is not one Vercel accepts, or undefined when it is. */
function stagesProblem(stages: unknown): string | undefined {
  if (!Array.isArray(stages) || stages.length < 2) return '`stages` must list at least two stages.';
  let previous = 0;
  for (const [i, raw] of stages.entries()) {
    const stage = raw as Partial<ReleaseStage> | null;
    const pct = stage?.targetPercentage;
    if (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 1 || pct > 100)
      return `stages[${i}].targetPercentage must be an integer from 1 to 100.`;
    if (pct <= previous) return `stages[${i}].targetPercentage must be greater than the stage before it.`;
    if (stage?.duration !== undefined && (typeof stage.duration !== 'number' || stage.duration < 1))
      return `stages[${i}].duration must be a number of minutes (at least 1).`;
    previous = pct;
  }
  return previous === 100 ? undefined : 'The last stage must have targetPercentage 100.';
}

function patchConfig(state: StandinState, body: unknown, res: ServerResponse): void {
  const input = body as { target?: unknown; stages?: unknown } | null | undefined;
  if (!input || typeof input !== 'object')
    return sendError(res, 400, 'bad_request', 'Invalid request: the body must be a JSON object.');
  if (input.stages === null) {
    state.project.releaseConfig = undefined;
    return sendJson(res, 200, { rollingRelease: null });
  }
  if (input.target !== undefined && input.target !== 'production') {
    return sendError(res, 400, 'bad_request', 'Invalid request: `target` must be "production".');
  }
  const problem = stagesProblem(input.stages);
  if (problem) return sendError(res, 400, 'bad_request', `Invalid request: ${problem}`);
  const stages = (input.stages as ReleaseStage[]).map(
    ({ targetPercentage, duration, requireApproval, linearShift }) => ({
      targetPercentage,
      ...(duration !== undefined ? { duration } : {}),
      ...(requireApproval !== undefined ? { requireApproval } : {}),
      ...(linearShift !== undefined ? { linearShift } : {}),
    }),
  );
  // Changes apply to the next release only; one in flight keeps its stages.
  state.project.releaseConfig = { target: 'production', stages };
  // Vercel's answer to an update carries the stages only.
  sendJson(res, 200, { rollingRelease: { stages: stages.map((s) => ({ ...s })) } });
}

function start(state: StandinState, body: { canaryDeploymentId?: unknown }, res: ServerResponse): void {
  if (!state.project.releaseConfig)
    return sendError(res, 400, 'bad_request', 'Rolling releases are not configured for this project.');
  if (state.project.release?.state === 'ACTIVE')
    return sendError(res, 409, 'conflict', 'A rolling release is already in progress for this project.');
  const canary = typeof body.canaryDeploymentId === 'string' ? state.find(body.canaryDeploymentId) : undefined;
  if (!canary) return sendError(res, 404, 'not_found', 'Deployment not found');
  if (canary.readyState !== 'READY' || canary.target !== 'production') {
    return sendError(res, 400, 'bad_request', `Deployment ${canary.id} is not a READY production deployment.`);
  }
  if (state.project.productionId === canary.id)
    return sendError(res, 400, 'bad_request', 'This deployment is already the current production deployment.');
  state.startRollingRelease(canary);
  sendJson(res, 200, { rollingRelease: state.project.release ? releaseJson(state, state.project.release) : null });
}

/** The ACTIVE release the body's canary names, or an error sent. */
function activeFor(
  state: StandinState,
  body: { canaryDeploymentId?: unknown },
  res: ServerResponse,
): StandinRelease | undefined {
  const release = state.project.release;
  if (release?.state !== 'ACTIVE') {
    sendError(res, 400, 'bad_request', 'There is no active rolling release for this project.');
    return undefined;
  }
  if (body.canaryDeploymentId !== release.canaryId) {
    sendError(
      res,
      400,
      'bad_request',
      `The active rolling release is of ${release.canaryId}, not ${String(body.canaryDeploymentId)}.`,
    );
    return undefined;
  }
  return release;
}

function approve(
  state: StandinState,
  body: { canaryDeploymentId?: unknown; nextStageIndex?: unknown },
  res: ServerResponse,
): void {
  const release = activeFor(state, body, res);
  if (!release) return;
  if (body.nextStageIndex !== release.activeIndex + 1) {
    return sendError(
      res,
      400,
      'bad_request',
      `nextStageIndex must be ${release.activeIndex + 1}, the stage after the active one.`,
    );
  }
  enterStage(state, release, release.activeIndex + 1, state.clock.now().getTime());
  sendJson(res, 200, { rollingRelease: releaseJson(state, release) });
}

function complete(state: StandinState, body: { canaryDeploymentId?: unknown }, res: ServerResponse): void {
  const release = activeFor(state, body, res);
  if (!release) return;
  finish(state, release, state.clock.now().getTime());
  sendJson(res, 200, { rollingRelease: releaseJson(state, release) });
}

function readRelease(state: StandinState, wanted: string | null, res: ServerResponse): void {
  const release = state.project.release;
  const matches = release && (wanted === null || release.state === wanted);
  sendJson(res, 200, { rollingRelease: matches ? releaseJson(state, release) : null });
}

/** Handles /v1/projects/:idOrName/rolling-release[/...]; false when the path is not one of them. */
export function handleRollingRelease(
  state: StandinState,
  req: ApiRequest,
  res: ServerResponse,
  checkProject: (idOrName: string) => boolean,
): boolean {
  const m = req.path.match(/^\/v1\/projects\/([^/]+)\/rolling-release(?:\/(config|start|approve-stage|complete))?$/);
  if (!m) return false;
  const action = m[2];
  const route = `${req.method} ${action ?? ''}`;
  const known = ['GET ', 'GET config', 'PATCH config', 'POST start', 'POST approve-stage', 'POST complete'];
  if (!known.includes(route)) return false;
  if (!checkProject(decodeURIComponent(m[1] as string))) return true;
  tickRelease(state);
  const body = parseJson(req.body);
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (route === 'GET ') {
    const wanted = req.query.get('state');
    if (wanted !== null && !['ACTIVE', 'COMPLETE', 'ABORTED'].includes(wanted)) {
      sendError(res, 400, 'bad_request', 'Invalid request: `state` should be one of "ACTIVE", "COMPLETE", "ABORTED".');
    } else {
      readRelease(state, wanted, res);
    }
  } else if (route === 'GET config') {
    sendJson(res, 200, { rollingRelease: configJson(state) });
  } else if (route === 'PATCH config') {
    patchConfig(state, body, res);
  } else if (route === 'POST start') {
    start(state, fields, res);
  } else if (route === 'POST approve-stage') {
    approve(state, fields, res);
  } else {
    complete(state, fields, res);
  }
  return true;
}
