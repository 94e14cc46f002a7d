import { silentLogger } from '../../src/logger';
import { RollbackError } from '../../src/rollback/errors';
import { VercelClient } from '../../src/vercel/client';
import { VercelHttp, parseRetryAfter } from '../../src/vercel/http';
import { parseDeploymentPage, parseProject } from '../../src/vercel/schemas';
import { type Harness, PROJECT, TEAM, seedHistory, startHarness } from './harness';

describe('Vercel client against the stand-in', () => {
  let h: Harness;
  let sleeps: number[];
  const client = (overrides: { token?: string; maxRetryAfterMs?: number } = {}): VercelClient =>
    new VercelClient(
      new VercelHttp({
        token: overrides.token ?? h.standin.token,
        baseUrl: h.standin.url,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        random: () => 0.5,
        retry: { maxRetryAfterMs: overrides.maxRetryAfterMs ?? 20_000 },
        logger: silentLogger,
      }),
    );
  const ref = { projectId: PROJECT, teamId: TEAM };

  beforeEach(async () => {
    h = await startHarness();
    sleeps = [];
  });
  afterEach(() => h.stop());

  it('pages through production deployments with until and pagination.next', async () => {
    for (let i = 0; i < 25; i += 1) {
      h.standin.state.addDeployment({ version: `1.0.${i}` });
      h.clock.advance(1000);
    }
    h.standin.state.addDeployment({ target: null });
    const seen: string[] = [];
    for await (const d of client().iterateDeployments(ref, { target: 'production', state: 'READY', limit: 10 }))
      seen.push(d.id);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const lists = h.standin.state.requests.filter((r) => r.path === '/v7/deployments');
    expect(lists).toHaveLength(3);
    expect(lists[0]?.query.until).toBeUndefined();
    expect(Number(lists[1]?.query.until)).toBeGreaterThan(0);
    expect(
      lists.every((r) => r.query.teamId === TEAM && r.query.target === 'production' && r.query.state === 'READY'),
    ).toBe(true);
  });

  it('honours Retry-After on 429, with jitter', async () => {
    seedHistory(h);
    h.standin.state.inject({ kind: 'status', status: 429, retryAfter: '2' }, 2);
    const project = await client().getProject(ref);
    expect(project.name).toBe(PROJECT);
    expect(sleeps).toEqual([2200, 2200]);
  });

  it(
    'refuses at once, with the wait in words, a Retry-After longer than a caller ' + 'outside a step may wait',
    async () => {
      seedHistory(h);
      h.standin.state.inject({ kind: 'status', status: 429, retryAfter: '3600' });
      await expect(client({ maxRetryAfterMs: 5000 }).getProject(ref)).rejects.toMatchObject({
        code: 'rate_limited',
        retryable: true,
        message: expect.stringContaining('wait 3960 s'),
        fix: expect.stringContaining('Try again in 66 min'),
      });
      expect(sleeps).toEqual([]);
    },
  );

  it('backs off exponentially on a 429 that names no wait', async () => {
    seedHistory(h);
    h.standin.state.inject({ kind: 'status', status: 429, bare: true }, 3);
    await client().getProject(ref);
    expect(sleeps).toEqual([275, 550, 1100]);
  });

  it('gives up on a lasting rate limit with a retryable rate_limited error', async () => {
    h.standin.state.inject({ kind: 'status', status: 429, retryAfter: '1' }, 10);
    await expect(client().getProject(ref)).rejects.toMatchObject({ code: 'rate_limited', retryable: true });
    expect(sleeps).toHaveLength(4);
  });

  it('retries 5xx with growing backoff and then succeeds', async () => {
    seedHistory(h);
    h.standin.state.inject({ kind: 'status', status: 502 }, 2);
    await client().getProject(ref);
    expect(sleeps).toEqual([275, 550]);
  });

  it('reports lasting 5xx as retryable "unavailable"', async () => {
    h.standin.state.inject({ kind: 'status', status: 500 }, 10);
    const error = await client()
      .getProject(ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RollbackError);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
  });

  it('retries a dropped connection on a read', async () => {
    seedHistory(h);
    h.standin.state.inject({ kind: 'drop' });
    const project = await client().getProject(ref);
    expect(project.production).toBeDefined();
    expect(sleeps).toHaveLength(1);
  });

  it('does not repeat a move after a dropped connection (the caller reads state first)', async () => {
    const { v190 } = seedHistory(h);
    h.standin.state.inject({ kind: 'drop', match: '/rollback/' });
    await expect(client().requestAliasMove(ref, 'rollback', v190.id)).rejects.toMatchObject({ code: 'unavailable' });
    expect(h.standin.state.count('POST', '/rollback/')).toBe(1);
  });

  it('turns a wrong team into a forbidden error that names the team setting', async () => {
    const error = (await client()
      .getProject({ projectId: PROJECT, teamId: 'team_other' })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('HTTP 403');
    expect(error.fix).toContain('vercel.teamId');
    expect(error.fix).toContain('team_other');
  });

  it('says a team project needs teamId when it is missing', async () => {
    const error = (await client()
      .getProject({ projectId: PROJECT })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.code).toBe('not_found');
    expect(error.fix).toContain('vercel.teamId');
  });

  it('tells the operator to replace a bad token, without echoing it', async () => {
    const error = (await client({ token: 'wrong-token-value' })
      .getProject(ref)
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.code).toBe('forbidden');
    expect(error.fix).toContain('VERCEL_TOKEN');
    expect(error.explain()).not.toContain('wrong-token-value');
  });

  it('refuses to start without a token', () => {
    expect(() => new VercelHttp({ token: '' })).toThrow(
      expect.objectContaining({ code: 'config_invalid', fix: expect.stringContaining('VERCEL_TOKEN') }),
    );
  });
});

describe('loose parsing', () => {
  it('keeps working when Vercel adds fields and enum values', () => {
    const project = parseProject({
      id: 'prj_1',
      name: 'x',
      brandNewField: { nested: true },
      autoAssignCustomDomains: false,
      targets: {
        production: {
          id: 'dpl_a',
          url: 'x-a.vercel.app',
          readyState: 'READY',
          target: 'production',
          createdAt: 5,
          newThing: 1,
        },
      },
      lastAliasRequest: {
        type: 'rollback',
        toDeploymentId: 'dpl_a',
        fromDeploymentId: null,
        jobStatus: 'partially-moved',
        requestedAt: 10,
        extra: 'x',
      },
    });
    expect(project.production?.id).toBe('dpl_a');
    expect(project.lastAliasRequest?.jobStatus).toBe('partially-moved');
    expect(project.autoAssignCustomDomains).toBe(false);
    const page = parseDeploymentPage({
      deployments: [{ uid: 'dpl_b', url: 'b.vercel.app', state: 'SOMETHING_NEW', created: 3 }, { broken: true }],
      pagination: { count: 2, next: null, prev: 1 },
    });
    expect(page.deployments.map((d) => d.state)).toEqual(['SOMETHING_NEW']);
    expect(page.next).toBeUndefined();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('rejects an answer it cannot read with a retryable external error', () => {
    expect(() => parseDeploymentPage({ nope: 1 })).toThrow(
      expect.objectContaining({ code: 'external', retryable: true }),
    );
  });
});
