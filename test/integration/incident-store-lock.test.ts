/** The per-service advisory lock of the PostgreSQL IncidentStore: one rollback step per service across replicas. */
import { Client } from 'pg';
import { silentLogger } from '../../src/logger';
import { createIncidentStore } from '../../src/store/incident-store';
import { MIGRATION_LOCK_KEY } from '../../src/store/migrate';
import { createDb } from '../../src/store/pool';
import { SERVICE, useIncidentStore } from './incident-store-fixtures';

/** A promise with its resolve, to hold a lock exactly as long as a test wants. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('PostgreSQL incident store: service lock', () => {
  const h = useIncidentStore('incident_store_lock');

  it('keeps another replica out while it runs fn, and lets it in once fn is done', async () => {
    const release = gate();
    const entered = gate();
    const holding = h.store.withServiceLock(SERVICE, async () => {
      entered.open();
      await release.opened;
      return 'reverted';
    });
    await entered.opened;

    let otherRan = false;
    expect(await h.otherStore.withServiceLock(SERVICE, async () => (otherRan = true))).toEqual({ ran: false });
    // The same replica is kept out too: the lock lives on one dedicated connection, not on the process.
    expect(await h.store.withServiceLock(SERVICE, async () => (otherRan = true))).toEqual({ ran: false });
    expect(otherRan).toBe(false);
    // Another service is not blocked.
    expect(await h.otherStore.withServiceLock('svc-b', async () => 'b')).toEqual({ ran: true, value: 'b' });

    release.open();
    expect(await holding).toEqual({ ran: true, value: 'reverted' });
    expect(await h.otherStore.withServiceLock(SERVICE, async () => 'next')).toEqual({ ran: true, value: 'next' });
  });

  it('releases the lock and its connection when fn throws, and passes the error on', async () => {
    const single = createDb(h.url, silentLogger, 1);
    try {
      const store = createIncidentStore(single);
      const failure = new Error('git push refused');
      await expect(store.withServiceLock(SERVICE, async () => Promise.reject(failure))).rejects.toBe(failure);
      // The pool's only connection came back (or this would wait), and the lock is free for another replica.
      expect(await store.findOpenIncident(SERVICE)).toBeUndefined();
      expect(await h.otherStore.withServiceLock(SERVICE, async () => 1)).toEqual({ ran: true, value: 1 });
      expect(await store.withServiceLock(SERVICE, async () => 2)).toEqual({ ran: true, value: 2 });
    } finally {
      await single.close();
    }
  });

  it('uses a key space apart from the migration lock and Prisma’s, and leaves no advisory lock behind', async () => {
    const other = new Client({ connectionString: h.url });
    await other.connect();
    const locksBesides = async (pid: number | undefined) =>
      h.db.query<{ objsubid: number }>({
        text: `SELECT objsubid FROM pg_locks
               WHERE locktype = 'advisory' AND granted AND pid <> $1
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        values: [pid],
      });
    try {
      await other.query('SELECT pg_advisory_lock($1), pg_advisory_lock($2)', [MIGRATION_LOCK_KEY, 72707369]);
      const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      const held = await h.store.withServiceLock(SERVICE, async () =>
        (await locksBesides(otherPid)).map((r) => r.objsubid),
      );
      // objsubid 2 is PostgreSQL's mark for a lock taken with two integer keys (1: one bigint key).
      expect(held).toEqual({ ran: true, value: [2] });
      expect(await locksBesides(otherPid)).toEqual([]);
    } finally {
      await other.end();
    }
  });
});
