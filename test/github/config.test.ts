/**
 * The services file's GitHub settings: git.github (token or App), git.via,
 * git.merge, git.checks and tickets.github, with defaults that keep today's
 * push path, and clear answers for the combinations that cannot work.
 */
import { parseServicesFile } from '../../src/config/load-config';
import { exampleServiceRaw, servicesYaml } from '../support/services';

const parse = (overrides: Record<string, unknown>) =>
  parseServicesFile(servicesYaml([exampleServiceRaw(overrides)]), 'f')[0];

describe('services file: GitHub settings', () => {
  it('defaults to the push path, auto-merge, merge commits and the usual CI check names', () => {
    const service = parse({});
    expect(service?.git).toMatchObject({
      via: 'push',
      merge: 'auto',
      mergeMethod: 'merge',
      mergeDeadlineMinutes: 240,
      checks: { tests: ['test'], typescript: ['typecheck', 'tsc', 'typescript', 'build'] },
    });
    expect(service?.git.github).toBeUndefined();
    expect(service?.tickets).toBeUndefined();
  });

  it('takes a repository with a token or a GitHub App, and tickets that borrow its credentials', () => {
    const token = parse({
      git: {
        github: { owner: 'dr-amal', repo: 'clinical-os', tokenEnv: 'GITHUB_TOKEN' },
        via: 'pull-request',
        merge: 'manual',
      },
      tickets: { github: { owner: 'dr-amal', repo: 'incidents' } },
    });
    expect(token?.git).toMatchObject({
      via: 'pull-request',
      merge: 'manual',
      github: { owner: 'dr-amal', repo: 'clinical-os', tokenEnv: 'GITHUB_TOKEN' },
    });
    expect(token?.tickets?.github).toEqual({ owner: 'dr-amal', repo: 'incidents', labels: ['incident'] });
    const app = parse({
      git: {
        github: {
          owner: 'o',
          repo: 'r',
          app: { appIdEnv: 'GH_APP_ID', privateKeyEnv: 'GH_APP_KEY', installationIdEnv: 'GH_APP_INSTALLATION' },
        },
      },
    });
    expect(app?.git.github?.app).toEqual({
      appIdEnv: 'GH_APP_ID',
      privateKeyEnv: 'GH_APP_KEY',
      installationIdEnv: 'GH_APP_INSTALLATION',
    });
  });

  it('refuses what cannot work, naming the field', () => {
    expect(() => parse({ git: { via: 'pull-request' } })).toThrow(
      /git\.github: git\.via: pull-request needs git\.github/,
    );
    expect(() => parse({ git: { github: { owner: 'o', repo: 'r' } } })).toThrow(/set exactly one of tokenEnv or app/);
    expect(() =>
      parse({
        git: {
          github: {
            owner: 'o',
            repo: 'r',
            tokenEnv: 'A',
            app: { appIdEnv: 'B', privateKeyEnv: 'C', installationIdEnv: 'D' },
          },
        },
      }),
    ).toThrow(/set exactly one of tokenEnv or app/);
    expect(() => parse({ tickets: { github: { owner: 'o', repo: 'r' } } })).toThrow(
      /tickets\.github needs credentials/,
    );
    expect(() => parse({ git: { merge: 'whenever' } })).toThrow(/git\.merge/);
    expect(() => parse({ git: { github: { owner: 'o/x', repo: 'r', tokenEnv: 'T' } } })).toThrow(
      /GitHub owner or repository name/,
    );
  });
});
