/**
 * Issue 17: a service with an unset credential keeps running; what it cannot
 * do is listed from one function (config/credentials) on every surface that
 * shows a service: `/rollback status`, the preflight checklist (Slack and
 * CLI formats) and App Home, each naming the variable. A missing VERCEL_TOKEN
 * refuses the application adapter's calls with a message naming it, without
 * taking the other adapters down.
 */
import { missingCredentials, unavailableCapabilities } from '../../src/config/credentials';
import type { EdgeConfigFlag, ServiceConfig } from '../../src/config/service-schema';
import { readHome } from '../../src/post-rollback/app-home';
import { createLogger } from '../../src/logger';
import type { EngineDeps } from '../../src/rollback/incident/engine-deps';
import { reportToJson, reportToText } from '../../src/rollback/preflight/format-report';
import { runPreflight } from '../../src/rollback/preflight/run-preflight';
import { appHome } from '../../src/slack/blocks/app-home';
import { preflightReply } from '../../src/slack/blocks/preflight-reply';
import { createIncidentReplies } from '../../src/slack/replies';
import { ManualClock } from '../../src/rollback/clock';
import { randomIds } from '../../src/rollback/id-generator';
import { parseEnv } from '../../src/config/load-config';
import { defaultAdapters } from '../../src/default-adapters';
import { requestRollback } from '../../src/rollback/incident/request-rollback';
import type { SlackUserId } from '../../src/rollback/ids';
import { allTexts } from './blocks/fixtures';
import { exampleService } from '../support/services';
import { fakeWorld, service as preflightService } from './preflight/fakes';

const SERVICE = exampleService();
/** Everything the example service needs, set. */
const FULL_ENV = {
  VERCEL_TOKEN: 'vercel-token',
  DR_AMAL_GIT_TOKEN: 'git-token',
  DR_AMAL_DATABASE_URL: 'postgres://app@db/app',
  SMOKE_TEST_PASSWORD: 'pw',
  // The ai-notes flag's Edge Config read token (flags: in the example).
  EDGE_CONFIG_READ_TOKEN: 'edge-read-token',
};
const FLAG_LINE =
  'Feature flags unavailable: EDGE_CONFIG_READ_TOKEN is not set (flag ai-notes, edgeConfig.readTokenEnv).';
const GIT_LINE = 'Git reverts unavailable: DR_AMAL_GIT_TOKEN is not set (git.tokenEnv).';
const VERCEL_LINE = 'Application rollbacks unavailable: VERCEL_TOKEN is not set (the Vercel API token).';

const withoutGit = { ...FULL_ENV, DR_AMAL_GIT_TOKEN: '' };

describe('unavailableCapabilities', () => {
  it('names each unset variable with the capability it takes away, and nothing when all are set', () => {
    expect(SERVICE.git.tokenEnv).toBe('DR_AMAL_GIT_TOKEN');
    expect(unavailableCapabilities(SERVICE, FULL_ENV)).toEqual([]);
    expect(unavailableCapabilities(SERVICE, withoutGit)).toEqual([GIT_LINE]);
    expect(
      unavailableCapabilities(SERVICE, { ...FULL_ENV, VERCEL_TOKEN: ' ', SMOKE_TEST_PASSWORD: undefined }),
    ).toEqual([
      VERCEL_LINE,
      'Smoke tests unavailable: SMOKE_TEST_PASSWORD is not set (a smoke test placeholder).',
      // The flag writes with VERCEL_TOKEN too (its edgeConfig.tokenEnv).
      'Feature flags unavailable: VERCEL_TOKEN is not set (flag ai-notes, edgeConfig.tokenEnv).',
    ]);
  });

  it("names a feature flag's unset token with the flag and the field, as the other credentials are named", () => {
    expect(unavailableCapabilities(SERVICE, { ...FULL_ENV, EDGE_CONFIG_READ_TOKEN: undefined })).toEqual([FLAG_LINE]);
    const aiNotes = SERVICE.flags[0] as EdgeConfigFlag;
    const flags = [
      { ...aiNotes, edgeConfig: { ...aiNotes.edgeConfig, readTokenEnv: undefined, tokenEnv: 'FLAGS_WRITE_TOKEN' } },
      {
        name: 'new-editor',
        description: 'the new note editor',
        features: [],
        readBackSeconds: 30,
        provider: 'vercel-flags',
        vercelFlags: {
          flag: 'new-editor',
          tokenEnv: 'VERCEL_FLAGS_TOKEN',
          environment: 'production',
          offVariant: 'off',
        },
      },
    ] as ServiceConfig['flags'];
    expect(unavailableCapabilities({ ...SERVICE, flags }, FULL_ENV)).toEqual([
      'Feature flags unavailable: FLAGS_WRITE_TOKEN is not set (flag ai-notes, edgeConfig.tokenEnv).',
      'Feature flags unavailable: VERCEL_FLAGS_TOKEN is not set (flag new-editor, vercelFlags.tokenEnv).',
    ]);
    // The start-up warning's words, as for the other credentials.
    expect(missingCredentials([SERVICE], { ...FULL_ENV, EDGE_CONFIG_READ_TOKEN: '' })).toEqual([
      {
        service: SERVICE.name,
        variable: 'EDGE_CONFIG_READ_TOKEN',
        capability: 'feature flags',
        field: 'flag ai-notes, edgeConfig.readTokenEnv',
        message:
          'EDGE_CONFIG_READ_TOKEN is not set (flag ai-notes, edgeConfig.readTokenEnv): feature flags of ' +
          'dr-amal-clinical-os are unavailable until it is; everything else runs.',
      },
    ]);
  });
});

/** Just what `/rollback status` reads: no open incident, production as Vercel reports it. */
function statusDeps(env: Record<string, string | undefined>): EngineDeps {
  const current = {
    id: 'dpl_now',
    version: '2.0.0',
    commitSha: 'b7920c6aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    url: 'https://now.example',
    createdAt: new Date('2026-01-17T10:00:00Z'),
  };
  return {
    services: [SERVICE],
    env,
    store: { findOpenIncident: async () => undefined },
    application: { describeProduction: async () => ({ current, rollbackTarget: undefined, pinnedByRollback: false }) },
  } as unknown as EngineDeps;
}

describe('/rollback status', () => {
  it('shows what the service cannot do until a variable is set, naming it, next to production', async () => {
    const reply = await createIncidentReplies({}).status(statusDeps(withoutGit), SERVICE.name);
    const text = allTexts(reply.blocks).join('\n');
    expect(text).toContain(`*Unavailable until set:*\n⚠️ ${GIT_LINE}`);
    expect(text).toContain('2.0.0');
  });

  it('has no such field when every variable is set', async () => {
    const reply = await createIncidentReplies({}).status(statusDeps(FULL_ENV), SERVICE.name);
    expect(allTexts(reply.blocks).join('\n')).not.toContain('Unavailable');
  });
});

describe('preflight', () => {
  it(
    'reports the unavailable capabilities above the checks in the CLI text and JSON ' +
      'and in Slack, without failing the checklist for them',
    async () => {
      const world = fakeWorld();
      const report = await runPreflight(world.deps, { service: preflightService(), unavailable: [GIT_LINE] });
      expect(report.unavailable).toEqual([GIT_LINE]);
      expect(report.passed).toBe(true);
      const text = reportToText(report);
      expect(text).toContain(`[UNAVAILABLE] ${GIT_LINE}`);
      expect(text.indexOf('[UNAVAILABLE]')).toBeLessThan(text.indexOf('[PASS]'));
      expect((JSON.parse(reportToJson(report)) as { unavailable: string[] }).unavailable).toEqual([GIT_LINE]);
      expect(allTexts(preflightReply({ timeZone: 'UTC', report }).blocks).join('\n')).toContain(
        '⚠️ Git reverts unavailable: DR_AMAL_GIT_TOKEN is not set (git.tokenEnv).',
      );
    },
  );

  it('says nothing of it when nothing is unavailable', async () => {
    const report = await runPreflight(fakeWorld().deps, { service: preflightService(), unavailable: [] });
    expect(report.unavailable).toBeUndefined();
    expect(reportToText(report)).not.toContain('UNAVAILABLE');
    expect(JSON.parse(reportToJson(report))).toMatchObject({ unavailable: [] });
  });
});

describe('App Home', () => {
  const store = {
    listIncidents: async () => [],
    metricsInputs: async () => ({ incidents: [], deployments: 0 }),
    flagActions: async () => [],
    openFollowUps: async () => [],
    deployments: async () => [],
  } as unknown as EngineDeps['store'];
  const clock = new ManualClock('2026-01-17T10:00:00Z');

  it("lists each service's unavailable capabilities under it, naming the variable", async () => {
    const view = await readHome({ store, services: [SERVICE], clock, env: withoutGit });
    expect(view.services[0]?.unavailable).toEqual([GIT_LINE]);
    const texts = allTexts(appHome(view).blocks).join('\n');
    expect(texts).toContain(
      '*Unavailable until set:*\n⚠️ Git reverts unavailable: DR_AMAL_GIT_TOKEN is not set (git.tokenEnv).',
    );
  });

  it("lists a feature flag's unset token the same way", async () => {
    const env = { ...FULL_ENV, EDGE_CONFIG_READ_TOKEN: '' };
    const view = await readHome({ store, services: [SERVICE], clock, env });
    expect(view.services[0]?.unavailable).toEqual([FLAG_LINE]);
    expect(allTexts(appHome(view).blocks).join('\n')).toContain(`*Unavailable until set:*\n⚠️ ${FLAG_LINE}`);
  });

  it('shows none when every variable is set', async () => {
    const view = await readHome({ store, services: [SERVICE], clock, env: FULL_ENV });
    expect(allTexts(appHome(view).blocks).join('\n')).not.toContain('Unavailable');
  });
});

describe('a missing VERCEL_TOKEN', () => {
  it("refuses the application adapter's calls with a message naming the variable, and leaves git working", async () => {
    const env = { ...FULL_ENV, VERCEL_TOKEN: undefined, ROLLBACK_DATA_DIR: '/tmp/rollback-bot-unavailable-test' };
    const config = { env: parseEnv(env), services: [SERVICE], configPath: 'test' };
    const adapters = defaultAdapters(config, env, createLogger('silent'));
    // A rejection, never a synchronous throw that would escape the caller.
    const call = adapters.application.describeProduction(SERVICE);
    await expect(call).rejects.toThrow(
      'VERCEL_TOKEN is not set: the bot cannot read or move production on Vercel, so ' +
        'application rollbacks (and the deploy and verification steps of the other ' +
        'rollbacks) are unavailable until it is.',
    );
    await expect(adapters.application.describeProduction(SERVICE)).rejects.toMatchObject({
      code: 'config_invalid',
      details: { missingEnv: 'VERCEL_TOKEN' },
    });
    expect(adapters.code).toBeDefined();
  });
});

describe('requestRollback with a credential unset', () => {
  const roles = { devopsLead: ['U0DEVOPS1'], dba: [], cto: [], onCall: [] };
  function deps(env: Record<string, string | undefined>) {
    const adapters = defaultAdapters(
      {
        env: parseEnv({ ...env, ROLLBACK_DATA_DIR: '/tmp/rollback-bot-unavailable-test' }),
        services: [SERVICE],
        configPath: 'test',
      },
      env,
      createLogger('silent'),
    );
    const timeline: { kind: string; message: string }[] = [];
    const opened: unknown[] = [];
    const engine = {
      services: [SERVICE],
      env,
      // Thursday 10:00 in New York: inside working hours, so the DevOps lead may act alone.
      clock: new ManualClock('2026-01-15T15:00:00Z'),
      ids: randomIds,
      roles: { resolve: async () => roles },
      store: {
        appendTimeline: async (entry: { kind: string; message: string }) => void timeline.push(entry),
        deployments: async () => [],
        openIncident: async (incident: unknown) => {
          opened.push(incident);
          throw new Error('opened');
        },
      },
      liveReleases: { live: async () => undefined },
      application: adapters.application,
      code: adapters.code,
    } as unknown as EngineDeps;
    return { engine, timeline, opened };
  }
  const ask = (engine: EngineDeps, kind: 'application' | 'revert' | 'schema') =>
    requestRollback(engine, {
      service: SERVICE.name,
      actor: 'U0DEVOPS1' as SlackUserId,
      request:
        kind === 'revert'
          ? { kind, target: 'b7920c6' }
          : kind === 'schema'
            ? { kind, target: '20260117000000_add_ai_features' }
            : { kind },
    });

  it(
    'refuses a git revert before any incident opens, naming the unset git token, and ' + 'records the refusal',
    async () => {
      const { engine, timeline, opened } = deps(withoutGit);
      await expect(ask(engine, 'revert')).rejects.toThrow(
        'The environment variable DR_AMAL_GIT_TOKEN (git token of dr-amal-clinical-os) is empty.',
      );
      expect(opened).toEqual([]);
      expect(timeline).toEqual([
        expect.objectContaining({ kind: 'refused', message: expect.stringContaining('DR_AMAL_GIT_TOKEN') }),
      ]);
      // The application rollback of the same service does not need git: it gets as far as opening its incident.
      await expect(ask(engine, 'application')).rejects.toThrow('opened');
      expect(opened).toHaveLength(1);
    },
  );

  it('refuses a schema rollback while database.urlEnv is unset, naming it, before any incident opens', async () => {
    const { engine, opened } = deps({ ...FULL_ENV, DR_AMAL_DATABASE_URL: undefined });
    await expect(ask(engine, 'schema')).rejects.toThrow('The app database URL is not set (DR_AMAL_DATABASE_URL).');
    expect(opened).toEqual([]);
  });

  it('refuses an application rollback without VERCEL_TOKEN, naming it, before any incident opens', async () => {
    const { engine, opened } = deps({ ...FULL_ENV, VERCEL_TOKEN: undefined });
    await expect(ask(engine, 'application')).rejects.toThrow(
      /^VERCEL_TOKEN is not set: the bot cannot read or move production on Vercel/,
    );
    expect(opened).toEqual([]);
  });
});
