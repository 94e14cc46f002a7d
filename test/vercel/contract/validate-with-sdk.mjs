/**
 * Checks answers against @vercel/sdk's own response models (generated from
 * Vercel's OpenAPI document). Run by node, not jest: the SDK is ESM only.
 * stdin: [{ operation, status, body }]; stdout: [{ index, problems: [] }].
 *
 * For each answer: the status must be one the SDK lists for the operation;
 * a JSON success must parse with the operation's `$inboundSchema`, and every
 * field of the answer must survive parsing (a field the schema strips is a
 * field Vercel does not send); a bodiless success must have no body; an error
 * must be Vercel's `{"error":{"code","message"}}`.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const sdkRoot = dirname(require.resolve('@vercel/sdk/package.json'));
const esm = join(sdkRoot, 'esm');

/** operation -> [file in esm/funcs, module in esm/models, schema export] */
export const OPERATIONS = {
  getDeployment: ['deploymentsGetDeployment', 'getdeploymentresponsebody', 'GetDeploymentResponseBody$inboundSchema'],
  getDeployments: ['deploymentsGetDeployments', 'getdeploymentsop', 'GetDeploymentsResponseBody$inboundSchema'],
  getProject: ['projectsGetProject', 'getprojectresponsebody', 'GetProjectResponseBody$inboundSchema'],
  requestPromote: ['projectsRequestPromote', undefined, undefined],
  requestRollback: ['projectsRequestRollback', undefined, undefined],
  listPromoteAliases: [
    'projectsListPromoteAliases',
    'listpromotealiasesop',
    'ListPromoteAliasesResponseBody2$inboundSchema',
  ],
  createDeployment: [
    'deploymentsCreateDeployment',
    'createdeploymentresponsebody',
    'CreateDeploymentResponseBody$inboundSchema',
  ],
  uploadFile: ['deploymentsUploadFile', 'uploadfileop', 'UploadFileResponseBody$inboundSchema'],
  getRollingRelease: [
    'rollingReleaseGetRollingRelease',
    'getrollingreleaseop',
    'GetRollingReleaseResponseBody$inboundSchema',
  ],
  getRollingReleaseConfig: [
    'rollingReleaseGetRollingReleaseConfig',
    'getrollingreleaseconfigop',
    'GetRollingReleaseConfigResponseBody$inboundSchema',
  ],
  updateRollingReleaseConfig: [
    'rollingReleaseUpdateRollingReleaseConfig',
    'updaterollingreleaseconfigop',
    'UpdateRollingReleaseConfigResponseBody2$inboundSchema',
  ],
  startRollingRelease: [
    'rollingReleaseStartRollingRelease',
    'startrollingreleaseop',
    'StartRollingReleaseResponseBody$inboundSchema',
  ],
  approveRollingReleaseStage: [
    'rollingReleaseApproveRollingReleaseStage',
    'approverollingreleasestageop',
    'ApproveRollingReleaseStageResponseBody$inboundSchema',
  ],
  completeRollingRelease: [
    'rollingReleaseCompleteRollingRelease',
    'completerollingreleaseop',
    'CompleteRollingReleaseResponseBody$inboundSchema',
  ],
  getTeamMembers: ['teamsGetTeamMembers', 'getteammembersop', 'GetTeamMembersResponseBody$inboundSchema'],
  // Edge Config: the SDK (1.28) names these operations globalConfig* (paths /v1/global-config/...).
  getEdgeConfigItems: ['globalConfigGetEdgeConfigItems', 'globalconfigitem', 'GlobalConfigItem$inboundSchema', 'array'],
  getEdgeConfigItem: ['globalConfigGetEdgeConfigItem', 'globalconfigitem', 'GlobalConfigItem$inboundSchema'],
  getFlag: ['featureFlagsGetFlag', 'flag', 'Flag$inboundSchema'],
  updateFlag: ['featureFlagsUpdateFlag', 'updateflagop', 'UpdateFlagResponseBody$inboundSchema'],
};

/**
 * Operations Vercel documents in its REST reference but this SDK version does not generate:
 * PATCH /v1/edge-config/{edgeConfigId}/items ("Update Edge Config items in batch") answers
 * 200 with {"status": string} and the usual 4XX/5XX errors.
 */
export const DOCUMENTED = {
  patchEdgeConfigItems: {
    ok: [{ status: 200, kind: 'json' }],
    failures: [400, 401, 402, 403, 404, 409, 412, '4XX', '5XX'].map((status) => ({ status, kind: 'fail' })),
    problems: (body) => {
      if (!body || typeof body !== 'object' || Array.isArray(body)) return ['(root): expected an object'];
      const extra = Object.keys(body)
        .filter((key) => key !== 'status')
        .map((key) => `${key}: not a field of the documented answer`);
      return typeof body.status === 'string' ? extra : ['status: Required string', ...extra];
    },
  },
};

/** The statuses the SDK's generated function matches, read from its source so they cannot drift. */
function documentedStatuses(func) {
  const source = readFileSync(join(esm, 'funcs', `${func}.js`), 'utf8');
  const match = source.match(/M\.match\(([\s\S]*?)\)\(response/);
  if (!match) throw new Error(`cannot read the statuses of ${func}`);
  const ok = [];
  const failures = [];
  for (const call of match[1].matchAll(/M\.(json|nil|fail)\(\s*(\[[^\]]*\]|"[^"]*"|\d+)/g)) {
    const list = call[2].startsWith('[')
      ? JSON.parse(call[2])
      : [call[2].startsWith('"') ? JSON.parse(call[2]) : Number(call[2])];
    (call[1] === 'fail' ? failures : ok).push(...list.map((s) => ({ status: s, kind: call[1] })));
  }
  return { ok, failures };
}

function statusMatches(pattern, status) {
  if (typeof pattern === 'number') return pattern === status;
  return String(status)[0] === pattern[0] && pattern.endsWith('XX');
}

/** Paths of fields present in `input` but stripped from `output`. */
function dropped(input, output, path = '') {
  if (Array.isArray(input)) {
    if (!Array.isArray(output)) return [];
    return input.flatMap((item, i) => dropped(item, output[i], `${path}[${i}]`));
  }
  if (!input || typeof input !== 'object' || !output || typeof output !== 'object') return [];
  const out = [];
  for (const key of Object.keys(input)) {
    if (input[key] === undefined) continue;
    const at = path ? `${path}.${key}` : key;
    // The SDK renames a few keys on the way in ("deployment-alias" becomes deploymentAlias).
    const outKey = key in output ? key : key.replace(/[-_]([a-z])/g, (_, c) => c.toUpperCase());
    if (!(outKey in output)) out.push(at);
    else out.push(...dropped(input[key], output[outKey], at));
  }
  return out;
}

async function check(answer) {
  const documented = DOCUMENTED[answer.operation];
  const spec = OPERATIONS[answer.operation];
  if (!spec && !documented) return [`unknown operation ${answer.operation}`];
  const [func, model, schemaName, shape] = spec ?? [];
  const { ok, failures } = documented ?? documentedStatuses(func);
  const success = ok.find((s) => statusMatches(s.status, answer.status));
  if (!success) {
    if (!failures.some((s) => statusMatches(s.status, answer.status)))
      return [`status ${answer.status} is not one Vercel documents for ${answer.operation}`];
    const error = answer.body && answer.body.error;
    if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') {
      return [`error ${answer.status} lacks Vercel's {"error":{"code","message"}} body`];
    }
    return [];
  }
  if (success.kind === 'nil') {
    return answer.body === undefined || answer.body === null || answer.body === ''
      ? []
      : [`${answer.operation} answers ${answer.status} without a body, got one`];
  }
  if (documented) return documented.problems(answer.body);
  const models = await import(join(esm, 'models', `${model}.js`));
  const schema = models[schemaName];
  if (shape === 'array') {
    if (!Array.isArray(answer.body)) return ['(root): expected an array'];
    return answer.body.flatMap((item, i) => problemsOf(schema, schemaName, item).map((p) => `[${i}].${p}`));
  }
  return problemsOf(schema, schemaName, answer.body);
}

function problemsOf(schema, schemaName, body) {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const name = schemaName.replace('$inboundSchema', '');
  return dropped(body, parsed.data).map((p) => `${p}: not a field of Vercel's ${name}`);
}

const answers = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const [index, answer] of answers.entries()) results.push({ index, problems: await check(answer) });
process.stdout.write(JSON.stringify(results));
