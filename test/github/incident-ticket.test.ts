/**
 * The incident ticket's life on GitHub Issues: once the incident resolves the
 * `incident-tickets` job opens an issue telling what broke, the trigger, the
 * rollback (its pull request and commit), the metrics and the timeline;
 * "Create incident ticket" ticks itself with the link; the post-mortem draft
 * is added as a comment; running again opens nothing twice; the issue closes
 * when the checklist is complete. The hour rule is checked on its own.
 */
import { completeItem } from '../../src/rollback/follow-up/checklist';
import { ticketDue } from '../../src/rollback/follow-up/incident-ticket';
import type { IncidentRecord } from '../../src/rollback/ports/incident-store';
import { SERVICE } from '../support/incident-world';
import { buildWhenMainMoves, OWNER, REPO, useGitHubWorld } from './support';

describe('incident ticket on GitHub Issues, from open to closed', () => {
  const ctx = useGitHubWorld('gh_ticket', {
    merge: 'immediate',
    service: { tickets: { github: { owner: OWNER, repo: REPO, labels: ['incident', 'production'] } } },
  });
  const minute = (n: number) =>
    new Date(Math.floor(ctx.current.world.clock.now().getTime() / 60_000) * 60_000 + n * 60_000);

  it('opens, ticks, comments the post-mortem, never twice, and closes when the checklist is done', async () => {
    const { world, repo } = ctx.current;
    const store = world.bot.bot.engine.deps.store;
    const before = world.git.originHead();
    await world.bot.sender.slashCommand({
      text: `revert ${SERVICE} ${world.history.badCommit.slice(0, 7)} AI notes corrupt records`,
      userId: 'U0DEVOPS1',
    });
    await buildWhenMainMoves(world, before, '2.0.1');
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    const [incident] = await store.listIncidents({ limit: 1 });
    if (!incident) throw new Error('no incident');

    expect((await world.bot.bot.engine.scheduler.runTick('incident-tickets', minute(1))).result).toBe('ran');
    const issues = repo.issues.filter((i) => i.title.startsWith(`[${incident.id}]`));
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    expect(issue?.title).toBe(`[${incident.id}] ${SERVICE}: AI notes corrupt records`);
    expect(issue?.labels).toEqual(['incident', 'production']);
    for (const heading of ['## What broke', '## Trigger and evidence', '## Rollback', '## Metrics', '## Timeline'])
      expect(issue?.body).toContain(heading);
    expect(issue?.body).toMatch(
      new RegExp(
        /code_revert: succeeded — commit [0-9a-f]{40}, deploy branch at [0-9a-f]{40}, /.source +
          /pull request https:\/\/github\.com\/dr-amal\/clinical-os\/pull\/1/.source,
      ),
    );
    const url = `https://github.com/${OWNER}/${REPO}/issues/${issue?.number}`;
    const ticked = (await store.followUps(incident.id)).find((item) => item.id === 'incident_ticket');
    expect(ticked?.doneBy).toBe(`rollback-bot ${url}`);
    await world.waitForPost(url);
    const comments = repo.comments.filter((c) => c.issue === issue?.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toMatch(/^## Post-mortem draft\n\n/);
    expect(comments[0]?.body).toContain('How do we prevent it?');

    expect((await world.bot.bot.engine.scheduler.runTick('incident-tickets', minute(2))).result).toBe('ran');
    expect(repo.issues.filter((i) => i.title.startsWith(`[${incident.id}]`))).toHaveLength(1);
    expect(repo.comments.filter((c) => c.issue === issue?.number)).toHaveLength(1);
    expect(issue?.state).toBe('open');

    // People tick the rest of the checklist.
    await store.changeFollowUps(incident.id, (items) =>
      items.reduce((all, item) => completeItem(all, item.id, 'U0DEVOPS1', world.clock.now()), items),
    );
    expect((await world.bot.bot.engine.scheduler.runTick('incident-tickets', minute(3))).result).toBe('ran');
    expect(issue?.state).toBe('closed');
    expect(repo.comments.filter((c) => c.issue === issue?.number).at(-1)?.body).toMatch(
      /checklist is done: closing this ticket/,
    );
    const kinds = (await store.timeline(incident.id)).map((entry) => entry.kind);
    expect(kinds.filter((kind) => kind.startsWith('follow_up_ticket'))).toEqual([
      'follow_up_ticket_opened',
      'follow_up_ticket_post_mortem',
      'follow_up_ticket_closed',
    ]);
  }, 60_000);
});

describe('when the ticket is due', () => {
  const opened = new Date('2026-01-20T15:00:00Z');
  const incident = (state: IncidentRecord['state']): IncidentRecord => ({
    id: 'INC-1',
    service: 's',
    state,
    issue: 'x',
    trigger: 't',
    openedAt: opened,
    data: {} as IncidentRecord['data'],
  });
  it(
    'is due after the runbook’s hour even while the incident is open, at once when it ' +
      'resolves, never for a cancelled request',
    () => {
      const at = (minutes: number) => new Date(opened.getTime() + minutes * 60_000);
      expect(ticketDue(incident('rolling_back'), at(59))).toBe(false);
      expect(ticketDue(incident('rolling_back'), at(60))).toBe(true);
      expect(ticketDue(incident('resolved'), at(5))).toBe(true);
      expect(ticketDue(incident('cancelled'), at(120))).toBe(false);
    },
  );
});
