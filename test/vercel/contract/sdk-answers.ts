/**
 * Holding the Vercel stand-in's answers to @vercel/sdk's models: which SDK
 * operation an answer belongs to, and what the SDK's schemas say of it (run in
 * a child node process, the SDK being ESM only).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { RecordedAnswer } from '../../../src/standins/vercel/state';

const VALIDATOR = join(__dirname, 'validate-with-sdk.mjs');

const RELEASE_ACTIONS: Record<string, string> = {
  start: 'startRollingRelease',
  'approve-stage': 'approveRollingReleaseStage',
  complete: 'completeRollingRelease',
};

/** The SDK operation an answer belongs to, by method and path. */
function operationOf(answer: Pick<RecordedAnswer, 'method' | 'path'>): string | undefined {
  const { method, path } = answer;
  if (method === 'GET' && /^\/v\d+\/deployments$/.test(path)) return 'getDeployments';
  if (method === 'GET' && /^\/v13\/deployments\/[^/]+$/.test(path)) return 'getDeployment';
  if (method === 'GET' && /^\/v9\/projects\/[^/]+$/.test(path)) return 'getProject';
  if (method === 'POST' && /^\/v10\/projects\/[^/]+\/promote\/[^/]+$/.test(path)) return 'requestPromote';
  if (method === 'POST' && /^\/v1\/projects\/[^/]+\/rollback\/[^/]+$/.test(path)) return 'requestRollback';
  if (method === 'GET' && /^\/v1\/projects\/[^/]+\/promote\/aliases$/.test(path)) return 'listPromoteAliases';
  if (method === 'POST' && path === '/v13/deployments') return 'createDeployment';
  if (method === 'POST' && path === '/v2/files') return 'uploadFile';
  if (method === 'GET' && /^\/v1\/projects\/[^/]+\/rolling-release$/.test(path)) return 'getRollingRelease';
  const release = path.match(/^\/v1\/projects\/[^/]+\/rolling-release\/(config|start|approve-stage|complete)$/)?.[1];
  if (release === 'config') return method === 'PATCH' ? 'updateRollingReleaseConfig' : 'getRollingReleaseConfig';
  if (method === 'POST' && release) return RELEASE_ACTIONS[release];
  if (method === 'GET' && /^\/v3\/teams\/[^/]+\/members$/.test(path)) return 'getTeamMembers';
  const edgeConfig = /^\/v1\/(edge|global)-config\/[^/]+\/(items|item\/[^/]+)$/.exec(path)?.[2];
  if (method === 'GET' && edgeConfig === 'items') return 'getEdgeConfigItems';
  if (method === 'PATCH' && edgeConfig === 'items') return 'patchEdgeConfigItems';
  if (method === 'GET' && edgeConfig?.startsWith('item/')) return 'getEdgeConfigItem';
  const flags = /^\/v1\/projects\/[^/]+\/feature-flags\/flags\/[^/]+$/.test(path);
  if (flags && method === 'GET') return 'getFlag';
  if (flags && method === 'PATCH') return 'updateFlag';
  return undefined;
}

interface Verdict {
  readonly index: number;
  readonly problems: string[];
}

/** Runs the SDK's schemas in a node process (the SDK is ESM only) and returns "operation status: problem" lines. */
export function violations(answers: readonly RecordedAnswer[]): string[] {
  const checked = answers.map((a) => ({ ...a, operation: operationOf(a) })).filter((a) => a.operation !== undefined);
  const input = JSON.stringify(checked.map(({ operation, status, body }) => ({ operation, status, body })));
  const verdicts = JSON.parse(execFileSync(process.execPath, [VALIDATOR], { input, encoding: 'utf8' })) as Verdict[];
  return [
    ...new Set(
      verdicts.flatMap((v) =>
        v.problems.map((p) => `${checked[v.index]?.operation ?? '?'} ${checked[v.index]?.status ?? '?'}: ${p}`),
      ),
    ),
  ];
}

export function seen(answers: readonly RecordedAnswer[]): Set<string> {
  return new Set(answers.map((a) => `${operationOf(a) ?? `${a.method} ${a.path}`} ${a.status}`));
}
