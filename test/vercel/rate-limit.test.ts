/**
 * Polite to Vercel's rate limit: a 429 is honoured for its full Retry-After
 * (or X-RateLimit-Reset) within the step's deadline, one limiter per token
 * pauses every caller, and background probes yield to rollbacks.
 */
import type { DeploymentId, IncidentId } from '../../src/rollback/ids';
import { VercelRateLimiter, askedWait } from '../../src/vercel/rate-limit';
import { type Harness, type History, seedHistory, startHarness } from './harness';

const incidentId = 'inc_ratelimit' as IncidentId;

describe("Vercel's rate limit", () => {
  let h: Harness;
  let history: History;
  const move = () =>
    h.app.moveProduction({ incidentId, service: h.service, targetId: history.v190.id as DeploymentId });

  beforeEach(async () => {
    h = await startHarness({ vercel: { aliasDeadlineSeconds: 120 } });
    history = seedHistory(h);
  });
  afterEach(() => h.stop());

  it('waits a Retry-After of 45 s in full inside a rollback step (no 20 s cap) and then moves production', async () => {
    h.standin.state.inject({ kind: 'status', status: 429, retryAfter: '45', match: '/rollback/' });
    expect((await move()).status).toBe('succeeded');
    expect(h.sleeps).toContain(49_500); // 45 s plus the jitter
    expect(h.standin.state.count('POST', '/rollback/')).toBe(2);
  });

  it('honours X-RateLimit-Reset when there is no Retry-After', async () => {
    h.standin.state.inject({ kind: 'status', status: 429, resetAfterSeconds: 30, match: '/v9/projects' });
    expect((await move()).status).toBe('succeeded');
    expect(h.sleeps[0]).toBe(33_000);
  });

  it('refuses at once, as rate_limited, a wait past the step deadline instead of sleeping through it', async () => {
    h.standin.state.inject({ kind: 'status', status: 429, retryAfter: '600', match: '/v9/projects' });
    await expect(move()).rejects.toMatchObject({
      code: 'rate_limited',
      retryable: true,
      message: expect.stringContaining("past this step's deadline"),
    });
    expect(h.sleeps).toEqual([]);
    expect(h.standin.state.count('POST', '/rollback/')).toBe(0);
  });

  it(
    'one limiter per token: a 429 met by one adapter pauses another on the same ' +
      'token, and a background probe is held back without calling Vercel',
    async () => {
      const { VercelApplication } = await import('../../src/vercel/vercel-application');
      const { silentLogger } = await import('../../src/logger');
      const otherSleeps: number[] = [];
      // A second adapter on the same token whose waits do not move the clock: its pause is still on afterwards.
      const other = new VercelApplication({
        token: h.standin.token,
        apiUrl: h.standin.url,
        logger: silentLogger,
        clock: h.clock,
        random: () => 0.5,
        sleep: (ms) => {
          otherSleeps.push(ms);
          return Promise.resolve();
        },
      });
      h.standin.state.inject({ kind: 'status', status: 429, retryAfter: '30', match: '/v9/projects' });
      await other.describeProduction(h.service);
      expect(otherSleeps[0]).toBe(33_000);

      const before = h.standin.state.requests.length;
      await expect(h.app.describeProduction(h.service, { background: true })).rejects.toMatchObject({
        code: 'rate_limited',
        message: expect.stringContaining('rollbacks come first'),
      });
      expect(h.standin.state.requests.length).toBe(before);

      await h.app.describeProduction(h.service);
      expect(h.sleeps).toEqual([33_000]);
    },
  );

  it('keeps a reserve of the window for rollbacks when few calls are left', () => {
    const limiter = new VercelRateLimiter();
    const now = 1_000_000;
    limiter.observe(
      new Headers({
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '15',
        'x-ratelimit-reset': String((now + 40_000) / 1000),
      }),
    );
    expect(limiter.waitBefore('background', now)).toBe(40_000);
    expect(limiter.waitBefore('rollback', now)).toBe(0);
    limiter.observe(new Headers({ 'x-ratelimit-remaining': '80' }));
    expect(limiter.waitBefore('background', now)).toBe(0);
    expect(askedWait(new Headers({ 'x-ratelimit-reset': String((now + 5_000) / 1000) }), now)).toBe(5_000);
    expect(askedWait(new Headers({ 'retry-after': '7', 'x-ratelimit-reset': String((now + 5_000) / 1000) }), now)).toBe(
      7_000,
    );
    expect(askedWait(new Headers({}), now)).toBeUndefined();
  });
});
