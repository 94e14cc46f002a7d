/**
 * The GitHub stand-in answers as GitHub's published OpenAPI description
 * (@octokit/openapi) says: every response of every operation the bot uses,
 * successes and the 404/405/409/422 failures, is validated against that
 * operation's response schema. The calls are made with Octokit, as the bot
 * makes them.
 */
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import Ajv from 'ajv';
import { type GitHubStandin, startGitHubStandin } from '../../src/standins/github/server';
import type { StandinRepo } from '../../src/standins/github/state';
import { createSandbox, type Sandbox } from '../git/support/git-fixture';

interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> }>
  >;
  components: { responses: Record<string, { content?: Record<string, unknown> }> };
}

/** OpenAPI 3.0's `nullable` as JSON Schema: null joins the type (or the alternatives, where there is no type). */
function withNulls(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withNulls);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, withNulls(value)]),
  ) as Record<string, unknown>;
  if (nullable !== true) return rest;
  if (Array.isArray(rest.enum)) rest.enum = [...(rest.enum as unknown[]), null];
  if (typeof rest.type === 'string') return { ...rest, type: [rest.type, 'null'] };
  return { anyOf: [rest, { type: 'null' }] };
}

const spec = withNulls(
  JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')),
) as OpenApi;
const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true, validateFormats: false });
ajv.addSchema(spec, 'github');

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The operations the stand-in serves, as OpenAPI path templates. */
const TEMPLATES = [
  '/repos/{owner}/{repo}/pulls',
  '/repos/{owner}/{repo}/pulls/{pull_number}',
  '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
  '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
  '/repos/{owner}/{repo}/commits/{ref}/check-runs',
  '/repos/{owner}/{repo}/commits/{ref}/status',
  '/repos/{owner}/{repo}/check-runs',
  '/repos/{owner}/{repo}/statuses/{sha}',
  '/repos/{owner}/{repo}/issues',
  '/repos/{owner}/{repo}/issues/{issue_number}',
  '/repos/{owner}/{repo}/issues/{issue_number}/comments',
];

function templateOf(path: string): string {
  const bare = path.split('?')[0] ?? path;
  const found = TEMPLATES.find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
  if (!found) throw new Error(`no template for ${bare}`);
  return found;
}

function validatorFor(template: string, method: string, status: number) {
  const response = spec.paths[template]?.[method]?.responses[String(status)];
  if (!response) throw new Error(`GitHub documents no ${status} for ${method.toUpperCase()} ${template}`);
  const base = response.$ref
    ? response.$ref.slice(1)
    : `/${pointer('paths', template, method, 'responses', String(status))}`;
  return ajv.compile({ $ref: `github#${base}/content/application~1json/schema` });
}

describe('GitHub stand-in against GitHub’s OpenAPI description', () => {
  let github: GitHubStandin;
  let sb: Sandbox;
  let repo: StandinRepo;
  let octokit: Octokit;
  const params = { owner: 'acme', repo: 'web' };

  beforeAll(async () => {
    github = await startGitHubStandin({ token: 'ghp_contract' });
    sb = createSandbox();
    sb.commit({ 'a.txt': '1\n' }, 'one');
    sb.push();
    const clone = sb.cloneAs('feature');
    sb.git(clone, 'checkout', '-q', '-b', 'feature');
    sb.commit({ 'b.txt': '2\n' }, 'two', clone);
    sb.git(clone, 'push', '-q', 'origin', 'feature');
    repo = github.addRepo('acme', 'web', sb.origin);
    repo.protect('main', { requiredChecks: ['test'] });
    octokit = new Octokit({ baseUrl: github.url, auth: 'ghp_contract' });
  });
  afterAll(async () => {
    await github.stop();
    sb.cleanup();
  });

  it('answers every operation the bot uses with bodies GitHub’s schemas accept', async () => {
    const created = await octokit.rest.pulls.create({
      ...params,
      head: 'feature',
      base: 'main',
      title: 'Revert',
      body: 'why',
    });
    const sha = created.data.head.sha;
    const fail = (work: Promise<unknown>) => work.catch(() => undefined);
    await fail(octokit.rest.pulls.create({ ...params, head: 'feature', base: 'main', title: 'again' }));
    await octokit.rest.pulls.list({ ...params, head: 'acme:feature', state: 'all' });
    await octokit.rest.pulls.get({ ...params, pull_number: created.data.number });
    await fail(octokit.rest.pulls.get({ ...params, pull_number: 999 }));
    await octokit.rest.pulls.listReviews({ ...params, pull_number: created.data.number });
    await fail(octokit.rest.pulls.merge({ ...params, pull_number: created.data.number }));
    await fail(octokit.rest.pulls.merge({ ...params, pull_number: created.data.number, sha: '0'.repeat(40) }));
    await octokit.rest.checks.create({
      ...params,
      name: 'test',
      head_sha: sha,
      status: 'completed',
      conclusion: 'success',
      output: { title: '3 passed', summary: 'ok' },
    });
    await octokit.rest.repos.createCommitStatus({
      ...params,
      sha,
      state: 'success',
      context: 'ci/tsc',
      description: 'tsc',
    });
    await octokit.rest.checks.listForRef({ ...params, ref: sha });
    await octokit.rest.repos.getCombinedStatusForRef({ ...params, ref: sha });
    repo.review(created.data.number, 'alice', 'APPROVED');
    await octokit.rest.pulls.listReviews({ ...params, pull_number: created.data.number });
    await octokit.rest.pulls.merge({ ...params, pull_number: created.data.number, merge_method: 'merge' });
    await octokit.rest.pulls.get({ ...params, pull_number: created.data.number });
    const issue = await octokit.rest.issues.create({
      ...params,
      title: 'Incident',
      body: 'what broke',
      labels: ['incident'],
    });
    await fail(octokit.rest.issues.create({ ...params, title: '' }));
    await octokit.rest.issues.listForRepo({ ...params, labels: 'incident', state: 'all' });
    await octokit.rest.issues.createComment({ ...params, issue_number: issue.data.number, body: 'draft' });
    await octokit.rest.issues.listComments({ ...params, issue_number: issue.data.number });
    await octokit.rest.issues.update({ ...params, issue_number: issue.data.number, state: 'closed' });

    // The validators do reject what GitHub would not send (the test can fail).
    const pullSchema = validatorFor('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200);
    const { head: _head, ...headless } = (await octokit.rest.pulls.get({ ...params, pull_number: created.data.number }))
      .data;
    expect(pullSchema(headless)).toBe(false);
    expect(pullSchema({ ...created.data, state: 'merged' })).toBe(false);
    expect(
      validatorFor(
        '/repos/{owner}/{repo}/commits/{ref}/check-runs',
        'get',
        200,
      )({ total_count: 1, check_runs: [{ id: 1 }] }),
    ).toBe(false);

    const checked = new Set<string>();
    for (const call of github.calls) {
      const template = templateOf(call.path);
      const validate = validatorFor(template, call.method.toLowerCase(), call.status);
      const valid = validate(call.body);
      expect({
        call: `${call.method} ${call.path} ${call.status}`,
        errors: valid ? null : validate.errors?.slice(0, 5),
      }).toEqual({ call: `${call.method} ${call.path} ${call.status}`, errors: null });
      checked.add(`${call.method} ${template} ${call.status}`);
    }
    expect([...checked].sort()).toEqual(
      [
        'GET /repos/{owner}/{repo}/commits/{ref}/check-runs 200',
        'GET /repos/{owner}/{repo}/commits/{ref}/status 200',
        'GET /repos/{owner}/{repo}/issues 200',
        'GET /repos/{owner}/{repo}/issues/{issue_number}/comments 200',
        'GET /repos/{owner}/{repo}/pulls 200',
        'GET /repos/{owner}/{repo}/pulls/{pull_number} 200',
        'GET /repos/{owner}/{repo}/pulls/{pull_number} 404',
        'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews 200',
        'PATCH /repos/{owner}/{repo}/issues/{issue_number} 200',
        'POST /repos/{owner}/{repo}/check-runs 201',
        'POST /repos/{owner}/{repo}/issues 201',
        'POST /repos/{owner}/{repo}/issues 422',
        'POST /repos/{owner}/{repo}/issues/{issue_number}/comments 201',
        'POST /repos/{owner}/{repo}/pulls 201',
        'POST /repos/{owner}/{repo}/pulls 422',
        'POST /repos/{owner}/{repo}/statuses/{sha} 201',
        'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge 200',
        'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge 405',
        'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge 409',
      ].sort(),
    );
  });
});
