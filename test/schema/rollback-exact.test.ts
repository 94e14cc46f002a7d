/**
 * Issue 14, items 1 and 2: a type change is undone only by an exact inverse
 * that honours the forward USING, and the shadow check runs with the live
 * rows, under the live TimeZone (here Europe/Paris, not UTC), comparing every
 * sampled value by primary key.
 */
import { diffCatalogs, readCatalog } from '../../src/schema/rollback/catalog';
import { withClient } from '../support/database';
import { scratchProject } from './support/scratch-project';

const INIT = '20260101000000_init';
const TZ = '20260102000000_created_on_timestamptz';
const IMPLICIT = '20260103000000_seen_at_timestamptz';
const UUID = '20260104000000_ref_uuid';
const WIDEN = '20260105000000_code_text';
const PRICE = '20260106000000_price_precision';

describe('type changes on a database whose TimeZone is Europe/Paris', () => {
  const p = scratchProject('exact', { timeZone: 'Europe/Paris' });

  beforeAll(async () => {
    await p.create();
    p.write({
      [INIT]: `CREATE TABLE "Event" ("id" SERIAL NOT NULL, "createdOn" TIMESTAMP(3) NOT NULL, "seenAt" TIMESTAMP(3),
               "ref" TEXT, "code" VARCHAR(5), "price" DECIMAL(10,2),
               CONSTRAINT "Event_pkey" PRIMARY KEY ("id"));`,
      [TZ]:
        `ALTER TABLE "Event" ALTER COLUMN "createdOn" SET DATA TYPE TIMESTAMPTZ(3) USING ` +
        `"createdOn" AT TIME ZONE 'UTC';`,
      [IMPLICIT]: `ALTER TABLE "Event" ALTER COLUMN "seenAt" SET DATA TYPE TIMESTAMPTZ(3);`,
      [UUID]: `ALTER TABLE "Event" ALTER COLUMN "ref" SET DATA TYPE UUID USING "ref"::uuid;`,
      [WIDEN]: `ALTER TABLE "Event" ALTER COLUMN "code" SET DATA TYPE TEXT;`,
      [PRICE]: `ALTER TABLE "Event" ALTER COLUMN "price" SET DATA TYPE DECIMAL(12,4);`,
    });
    await p.apply(INIT);
    // Winter and summer times, and the autumn hour that happens twice in Paris.
    await p.query(`INSERT INTO "Event" ("createdOn", "seenAt", ref, code, price)
      SELECT timestamp '2026-01-15 08:30:00.123' + g * interval '9 days 7 hours', timestamp '2026-10-25 02:30:00',
             'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A' || lpad(g::text, 2, '0'), 'c' || g, g * 1.25
        FROM generate_series(1, 40) g`);
  });
  afterAll(p.drop);

  it('honours AT TIME ZONE in the inverse: the round trip gives back every value and the catalog', async () => {
    const schemaBefore = await withClient(p.url, readCatalog);
    const valuesBefore = await p.values('Event');
    await p.apply(TZ);
    const plan = await p.plan(TZ);
    expect(plan.steps.map((s) => s.sql)).toEqual([
      `ALTER TABLE "public"."Event" ALTER COLUMN "createdOn" TYPE timestamp(3) without ` +
        `time zone USING "createdOn" AT TIME ZONE 'UTC'`,
    ]);
    expect(plan.shadowDifferences).toEqual([]);
    expect(plan.verifiedWithData).toBe(true);
    expect(plan.sampledRows).toEqual([{ table: { schema: 'public', name: 'Event' }, rows: 40 }]);
    await p.execute(plan);
    expect(diffCatalogs(schemaBefore, await withClient(p.url, readCatalog))).toEqual([]);
    expect(await p.values('Event')).toEqual(valuesBefore);
    const [row] = await p.query<{ rolled_back_at: Date | null }>(
      `SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1`,
      [TZ],
    );
    expect(row?.rolled_back_at).toBeInstanceOf(Date);
  });

  it('refuses to invert a conversion made under a daylight-saving TimeZone, with the reason', async () => {
    await p.apply(IMPLICIT);
    const plan = await p.plan(IMPLICIT);
    expect(plan.steps).toEqual([]);
    expect(plan.irreversible.map((i) => i.reason)).toEqual([
      expect.stringMatching(/"seenAt".*TimeZone.*'Europe\/Paris'.*daylight-saving.*not undone automatically/s),
    ]);
    expect(plan.verifiedOnShadow).toBe(false);
    expect(plan.blockers.join(' ')).toMatch(/Not proven on the shadow database/);
    await expect(p.execute(plan)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/not proven/),
    });
    await p.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [IMPLICIT]);
    await p.query(`ALTER TABLE "Event" ALTER COLUMN "seenAt" TYPE timestamp(3)`);
  });

  it('refuses a conversion that is not exactly reversible (text to uuid changes the spelling)', async () => {
    await p.apply(UUID);
    const plan = await p.plan(UUID);
    expect(plan.steps).toEqual([]);
    expect(plan.irreversible.map((i) => i.reason)).toEqual([
      expect.stringMatching(/"ref" went from text to uuid.*not known to give every value back exactly/),
    ]);
    expect(plan.blockers).not.toEqual([]);
    await p.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [UUID]);
    await p.query(`ALTER TABLE "Event" ALTER COLUMN "ref" TYPE text`);
  });

  it(
    'the data check blocks an inverse the schema-only check passes: values written ' + 'since do not fit the old type',
    async () => {
      await p.apply(WIDEN);
      await p.query(`UPDATE "Event" SET code = 'longer than five' WHERE id = 7`);
      const plan = await p.plan(WIDEN);
      expect(plan.steps.map((s) => s.sql)).toEqual([
        `ALTER TABLE "public"."Event" ALTER COLUMN "code" TYPE character varying(5)`,
      ]);
      expect(plan.verifiedWithData).toBe(false);
      expect(plan.shadowDifferences).toEqual([
        expect.stringMatching(/inverse failed on the shadow database holding 40 sampled live row\(s\): value too long/),
      ]);
      await expect(p.execute(plan)).rejects.toMatchObject({ code: 'conflict' });
      await p.query(`UPDATE "Event" SET code = 'c7' WHERE id = 7`);
      const fixed = await p.plan(WIDEN);
      expect(fixed.verifiedWithData).toBe(true);
      await p.execute(fixed);
    },
  );

  it('the data check compares values by primary key: rounding values written since blocks the plan', async () => {
    await p.apply(PRICE);
    await p.query(`UPDATE "Event" SET price = 3.1416 WHERE id IN (3, 9)`);
    const plan = await p.plan(PRICE);
    expect(plan.steps.map((s) => s.sql)).toEqual([
      `ALTER TABLE "public"."Event" ALTER COLUMN "price" TYPE numeric(10,2)`,
    ]);
    expect(plan.verifiedWithData).toBe(false);
    expect(plan.shadowDifferences).toEqual([
      expect.stringMatching(
        /values of "Event"."price" do not survive the inverse \(2 sampled row\(s\), e.g. \(3\): 3.1416 became 3.1400/,
      ),
    ]);
  });
});
