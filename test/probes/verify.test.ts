import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fillEnv, verifyProduction } from '../../src/probes/verify';
import { ManualClock } from '../../src/rollback/clock';
import type { ExpectedVersion } from '../../src/rollback/ports/application';
import { exampleService } from '../support/services';

interface Seen {
  path: string;
  body: string;
  bypass: string | undefined;
}

describe('verifyProduction', () => {
  let server: Server;
  let url: string;
  let seen: Seen[];
  let answers: {
    health: number[];
    version: { version: string; commit: string };
    signinDelayMs: number;
    bypassSecret?: string;
  };
  const clock = new ManualClock();
  const sleep = (ms: number): Promise<void> => {
    clock.advance(ms);
    return Promise.resolve();
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          path: req.url ?? '',
          body,
          bypass: req.headers['x-vercel-protection-bypass'] as string | undefined,
        });
        const send = (status: number, json: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        if (answers.bypassSecret !== undefined && req.headers['x-vercel-protection-bypass'] !== answers.bypassSecret)
          send(401, {});
        else if (req.url === '/api/health')
          send(answers.health.length > 1 ? (answers.health.shift() as number) : (answers.health[0] as number), {
            ok: true,
          });
        else if (req.url === '/api/version') send(200, { ...answers.version, deployedAt: '2026-01-16T10:30:00Z' });
        else if (req.url === '/api/auth/signin') {
          const parsed = JSON.parse(body) as { password?: string };
          setTimeout(() => send(parsed.password === 's3cret' ? 200 : 401, {}), answers.signinDelayMs);
        } else send(404, {});
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen = [];
    answers = { health: [200], version: { version: '1.9.0', commit: 'b7920c6' }, signinDelayMs: 0 };
  });

  const service = () => exampleService({ production: { url, verifyDeadlineSeconds: 10 } });
  const run = (
    expected: ExpectedVersion,
    env: Record<string, string> = { SMOKE_TEST_PASSWORD: 's3cret' },
    checkTimeoutMs = 2000,
  ) => verifyProduction(service(), expected, { clock, sleep, env, retryIntervalMs: 1000, checkTimeoutMs });

  it(
    'passes when health is 2xx, the version matches and the smoke test passes, ' + 'filling ${ENV} in the body',
    async () => {
      const report = await run({ version: 'v1.9.0' });
      expect(report.passed).toBe(true);
      // One passing sample is no proof: the default is three consecutive passing rounds.
      expect(report.attempts).toBe(3);
      expect(report.checks.map((c) => c.name)).toEqual(['health', 'version', 'smoke: sign-in']);
      expect(JSON.parse(seen.find((s) => s.path === '/api/auth/signin')?.body ?? '{}')).toEqual({
        email: 'test@example.com',
        password: 's3cret',
      });
      expect(JSON.stringify(report)).not.toContain('s3cret');
    },
  );

  it('accepts the commit instead of the version, by prefix', async () => {
    expect((await run({ commitSha: 'a1b2c3d'.padEnd(40, 'a') })).passed).toBe(false);
    expect((await run({ commitSha: 'b7920c6'.padEnd(40, '1') })).passed).toBe(true);
  });

  it('retries until health recovers, then proves it over three consecutive rounds', async () => {
    answers.health = [503, 503, 200];
    const report = await run({ version: '1.9.0' });
    expect(report.passed).toBe(true);
    expect(report.attempts).toBe(5);
  });

  it('starts the count again when a round fails between passing ones (flapping health is not restored)', async () => {
    answers.health = [200, 200, 503, 200, 200, 200];
    const report = await run({ version: '1.9.0' });
    expect(report).toMatchObject({ passed: true, attempts: 6 });
  });

  it('takes the number of rounds from the service (production.verifyRounds)', async () => {
    const report = await verifyProduction(
      exampleService({ production: { url, verifyDeadlineSeconds: 10, verifyRounds: 5 } }),
      { version: '1.9.0' },
      { clock, sleep, env: { SMOKE_TEST_PASSWORD: 's3cret' }, retryIntervalMs: 1000 },
    );
    expect(report).toMatchObject({ passed: true, attempts: 5 });
  });

  it('fails when health flaps until the deadline, never passing enough rounds in a row', async () => {
    answers.health = [200, 200, 503, 200, 200, 503, 200, 200, 503, 200, 200, 503, 200, 200, 503, 200, 200, 503];
    const report = await run({ version: '1.9.0' });
    expect(report.passed).toBe(false);
    expect(report.failedCheck).toMatchObject({ name: 'health', status: 503 });
  });

  /** Issue 16 item 4: an unknown target version and commit used to pass whatever production served. */
  describe('when the target version and commit are unknown', () => {
    it('is inconclusive, never a pass, when the bad deployment is unknown too', async () => {
      const report = await run({});
      expect(report.passed).toBe(false);
      expect(report.failedCheck).toMatchObject({ name: 'version' });
      expect(report.failedCheck?.detail).toMatch(/inconclusive/);
    });

    it('fails while production still serves the bad deployment', async () => {
      answers.version = { version: '2.0.0-beta', commit: 'b90de38' };
      const report = await run({ notVersion: '2.0.0-beta', notCommitSha: 'b90de38'.padEnd(40, '0') });
      expect(report.passed).toBe(false);
      expect(report.failedCheck?.detail).toMatch(/still serves the bad deployment/);
    });

    it('passes once production is proven to serve something else than the bad deployment', async () => {
      const report = await run({ notVersion: '2.0.0-beta', notCommitSha: 'b90de38'.padEnd(40, '0') });
      expect(report.passed).toBe(true);
      expect(report.checks.find((c) => c.name === 'version')?.detail).toMatch(/no longer the bad deployment/);
    });
  });

  it(
    'accepts any version, said explicitly, after a rollback that did not move the app ' + '(a schema rollback)',
    async () => {
      const report = await run({ appNotMoved: true });
      expect(report.passed).toBe(true);
      expect(report.checks.find((c) => c.name === 'version')?.detail).toMatch(/did not move the app/);
    },
  );

  it('fails when the target is known but production still reports the bad commit', async () => {
    answers.version = { version: '1.9.0', commit: 'b90de38' };
    const report = await run({ version: '1.9.0', notCommitSha: 'b90de38'.padEnd(40, '0') });
    expect(report.passed).toBe(false);
  });

  it('reports the version check by name when production still runs the bad version', async () => {
    answers.version = { version: '2.0.0-beta', commit: 'b90de38' };
    const started = clock.now().getTime();
    const report = await run({ version: '1.9.0' });
    expect(report.passed).toBe(false);
    expect(report.failedCheck).toMatchObject({ name: 'version', status: 200 });
    expect(report.failedCheck?.detail).toBe('reports version 2.0.0-beta commit b90de38, expected version 1.9.0');
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(10_000);
  });

  it('fails the smoke test, without sending it, when its env variable is missing', async () => {
    const report = await run({ version: '1.9.0' }, {});
    expect(report.failedCheck).toMatchObject({ name: 'smoke: sign-in', status: undefined });
    expect(report.failedCheck?.detail).toContain('SMOKE_TEST_PASSWORD');
    expect(seen.some((s) => s.path === '/api/auth/signin')).toBe(false);
  });

  it('reports a check that does not answer in time, with its latency', async () => {
    answers.signinDelayMs = 300;
    const report = await run({ version: '1.9.0' }, undefined, 100);
    expect(report.failedCheck).toMatchObject({
      name: 'smoke: sign-in',
      status: undefined,
      detail: 'timed out after 100 ms',
    });
    expect(report.failedCheck?.latencyMs).toBeGreaterThanOrEqual(90);
  });

  it('reports production that cannot be reached', async () => {
    const report = await verifyProduction(
      exampleService({ production: { url: 'http://127.0.0.1:9', verifyDeadlineSeconds: 1 } }),
      {},
      { clock, sleep, env: {} },
    );
    expect(report.passed).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: 'health', pass: false, status: undefined });
  });

  describe('behind Vercel Deployment Protection', () => {
    const protectedRun = (vercel: Record<string, unknown>, env: Record<string, string>) =>
      verifyProduction(
        exampleService({ production: { url, verifyDeadlineSeconds: 10 }, vercel }),
        { version: '1.9.0' },
        { clock, sleep, env, retryIntervalMs: 1000, checkTimeoutMs: 2000 },
      );

    it('sends x-vercel-protection-bypass from vercel.protectionBypassEnv on every check, and passes', async () => {
      answers.bypassSecret = 'bypass-0123456789';
      const report = await protectedRun(
        { protectionBypassEnv: 'VERCEL_PROTECTION_BYPASS' },
        { SMOKE_TEST_PASSWORD: 's3cret', VERCEL_PROTECTION_BYPASS: 'bypass-0123456789' },
      );
      expect(report.passed).toBe(true);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((s) => s.bypass === 'bypass-0123456789')).toBe(true);
    });

    it('sends no bypass header when the service names none', async () => {
      await run({ version: '1.9.0' });
      expect(seen.every((s) => s.bypass === undefined)).toBe(true);
    });

    it('explains a 401 with the setting to add instead of a bare status', async () => {
      answers.bypassSecret = 'bypass-0123456789';
      const report = await protectedRun({}, { SMOKE_TEST_PASSWORD: 's3cret' });
      expect(report.passed).toBe(false);
      expect(report.failedCheck?.detail).toContain('answered HTTP 401');
      expect(report.failedCheck?.detail).toContain('vercel.protectionBypassEnv is not set');
    });
  });

  it('fills only whole "${NAME}" strings, deeply', () => {
    const missing = new Set<string>();
    expect(fillEnv({ a: ['${A}', 'x${A}'], b: { c: '${B}' }, n: 1 }, { A: '1' }, missing)).toEqual({
      a: ['1', 'x${A}'],
      b: { c: '' },
      n: 1,
    });
    expect([...missing]).toEqual(['B']);
  });
});
