/**
 * Deployment creation as @vercel/client does it: POST /v13/deployments with
 * file hashes, 400 missing_files for the ones Vercel has not seen, upload of
 * each to /v2/files (checked against its sha1), then the create again. The new
 * deployment builds QUEUED -> BUILDING -> READY/ERROR as it is polled.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ApiRequest } from './api-routes';
import { fullDeployment } from './api-bodies';
import { checkTeam } from './api-routes';
import { parseJson, sendError, sendJson } from './http-util';
import type { StandinState } from './state';

interface FileEntry {
  file: string;
  sha?: string;
  size?: number;
  data?: string;
}

export function handleDeploy(
  state: StandinState,
  req: ApiRequest,
  headers: Record<string, string | string[] | undefined>,
  res: ServerResponse,
): boolean {
  if (req.method === 'POST' && req.path === '/v2/files') {
    uploadFile(state, req, headers, res);
    return true;
  }
  if (req.method === 'POST' && req.path === '/v13/deployments') {
    create(state, req, res);
    return true;
  }
  return false;
}

function uploadFile(
  state: StandinState,
  req: ApiRequest,
  headers: Record<string, string | string[] | undefined>,
  res: ServerResponse,
): void {
  if (!checkTeam(state, req.query, res, 'Team')) return;
  const digest = headers['x-now-digest'];
  if (typeof digest !== 'string' || !/^[0-9a-f]{40}$/.test(digest)) {
    return sendError(res, 400, 'missing_digest', 'The `x-now-digest` header must be the sha1 of the file.');
  }
  const actual = createHash('sha1').update(req.body).digest('hex');
  if (actual !== digest) {
    return sendError(res, 400, 'incorrect_file_digest', `The file's sha1 is ${actual}, not ${digest}.`);
  }
  const size = headers['x-now-size'];
  if (size !== undefined && Number(size) !== req.body.length) {
    return sendError(res, 400, 'incorrect_file_size', 'The `x-now-size` header does not match the body.');
  }
  state.uploaded.add(digest);
  sendJson(res, 200, { urls: [] });
}

function create(state: StandinState, req: ApiRequest, res: ServerResponse): void {
  if (!checkTeam(state, req.query, res, 'Project')) return;
  const body = parseJson(req.body) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object')
    return sendError(res, 400, 'bad_request', 'Invalid request: the body must be JSON.');
  const name = typeof body.project === 'string' ? body.project : body.name;
  if (typeof name !== 'string' || name === '') {
    return sendError(res, 400, 'bad_request', 'Invalid request: missing required property `name`.');
  }
  if (name !== state.project.name && name !== state.project.id) {
    return sendError(res, 404, 'not_found', `Project ${name} not found`);
  }
  const files = body.files;
  if (!Array.isArray(files) || files.some((f) => !isFileEntry(f))) {
    return sendError(
      res,
      400,
      'bad_request',
      'Invalid request: `files` must be a list of { file, sha, size } or { file, data }.',
    );
  }
  const missing = (files as FileEntry[])
    .filter((f) => f.sha !== undefined && !state.uploaded.has(f.sha))
    .map((f) => f.sha as string);
  if (missing.length > 0) {
    return sendError(res, 400, 'missing_files', 'Missing files', { missing: [...new Set(missing)] });
  }
  if (body.target !== undefined && body.target !== 'production' && body.target !== 'staging') {
    return sendError(res, 400, 'bad_request', 'Invalid request: `target` should be "production" or "staging".');
  }
  const meta = isStringRecord(body.meta) ? body.meta : {};
  const commit = meta.gitCommitSha ?? meta.githubCommitSha;
  const deployment = state.addDeployment({
    target: body.target === 'production' ? 'production' : null,
    servedProduction: false,
    ...(commit ? { commit } : {}),
    meta,
    build: { ...state.buildPlan },
  });
  sendJson(res, 200, fullDeployment(state, deployment));
}

function isFileEntry(value: unknown): value is FileEntry {
  if (!value || typeof value !== 'object') return false;
  const f = value as Record<string, unknown>;
  if (typeof f.file !== 'string' || f.file === '' || f.file.startsWith('/') || f.file.split('/').includes('..'))
    return false;
  if (typeof f.data === 'string') return true;
  return typeof f.sha === 'string' && /^[0-9a-f]{40}$/.test(f.sha) && typeof f.size === 'number';
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return !!value && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string');
}
