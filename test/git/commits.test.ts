import type { CommitSha } from '../../src/rollback/ids';
import { ASKER, INCIDENT, SERVICE, adapterFor, createSandbox, serviceFor, type Sandbox } from './support/git-fixture';

describe('git facts: recent commits, branch head, own revert', () => {
  let sb: Sandbox;
  const shas: CommitSha[] = [];

  beforeAll(() => {
    sb = createSandbox();
    for (let i = 1; i <= 12; i += 1) shas.push(sb.commit({ [`f${i}.ts`]: `${i}\n` }, `feat: step ${i}`));
    sb.push();
  });
  afterAll(() => sb.cleanup());

  it('lists the last 10 commits newest first, marking production and the last known good', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    const production = shas[11] as CommitSha;
    const good = shas[10] as CommitSha;
    const commits = await adapter.listCommits({
      service: SERVICE,
      productionSha: production.slice(0, 7) as CommitSha,
      lastKnownGoodSha: good,
    });

    expect(commits).toHaveLength(10);
    expect(commits.map((c) => c.sha)).toEqual([...shas].reverse().slice(0, 10));
    expect(commits[0]).toMatchObject({
      subject: 'feat: step 12',
      shortSha: production.slice(0, 7),
      isProduction: true,
      isLastKnownGood: false,
      isMerge: false,
      author: 'Dev',
    });
    expect(commits[1]).toMatchObject({ isProduction: false, isLastKnownGood: true });
    expect(commits.filter((c) => c.isProduction || c.isLastKnownGood)).toHaveLength(2);
    expect(commits[0]?.committedAt).toBeInstanceOf(Date);
    await expect(adapter.listCommits({ service: SERVICE, limit: 3 })).resolves.toHaveLength(3);
  });

  it('gives the remote branch head and finds the bot’s own revert for an incident, marked in the list', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    await expect(adapter.findOwnRevert(SERVICE, INCIDENT)).resolves.toBeUndefined();
    const result = await adapter.revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: shas[11] as string },
    });

    await expect(adapter.branchHead(SERVICE)).resolves.toBe(sb.originHead());
    await expect(adapter.findOwnRevert(SERVICE, INCIDENT)).resolves.toEqual({
      commit: result.commit,
      incidentId: INCIDENT,
      reverted: [shas[11]],
      removedMigrations: [],
    });
    const [top] = await adapter.listCommits({ service: SERVICE, limit: 1 });
    expect(top).toMatchObject({ sha: result.commit, rollbackIncident: INCIDENT });
  });
});
