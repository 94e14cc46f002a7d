/**
 * Proves an inverse on the shadow database: the migrations before the target
 * replayed as Prisma applies them, the target applied, a sample of the live
 * rows of every touched table copied in under the live TimeZone, the inverse
 * run, then the catalog compared with the one before the migration and every
 * sampled value compared by primary key. Any difference is reported.
 */
import { withClient } from '../pg-client';
import type { TableRef } from '../../rollback/ports/schema';
import type { ParsedStatement } from '../sql/parse-sql';
import { type InversePlan, buildInverse } from './build-inverse';
import { catalogLines, diffCatalogs, readCatalog } from './catalog';
import { type SampledTable, compareValues, copySample, foreignKeysIn, snapshotValues } from './data-check';
import { type ReplayedMigration, replay } from './replay';

export interface ShadowProof {
  readonly inverse: InversePlan;
  /** Empty when the inverse gave back the earlier schema and every sampled value. */
  readonly differences: string[];
  readonly sampled: SampledTable[];
  /** The affected objects' catalog after the inverse, for execution to compare the live one with. */
  readonly expected: { readonly owners: string[]; readonly lines: string[] };
}

interface ProofRequest {
  readonly shadowUrl: string;
  readonly liveUrl: string;
  readonly liveTimeZone: string;
  readonly earlier: readonly ReplayedMigration[];
  readonly target: ReplayedMigration;
  readonly statements: readonly ParsedStatement[];
}

export function proveOnShadow(request: ProofRequest): Promise<ShadowProof> {
  return withClient(request.shadowUrl, 'rollback-bot shadow', async (shadow) => {
    // Implicit conversions (timestamp <-> timestamptz) must behave as on live.
    await shadow.query(`SELECT set_config('TimeZone', $1, false)`, [request.liveTimeZone]);
    await replay(shadow, request.earlier);
    const before = await readCatalog(shadow);
    await replay(shadow, [request.target]);
    const after = await readCatalog(shadow);
    const inverse = buildInverse(request.statements, { before, after, liveTimeZone: request.liveTimeZone });
    const touched = new Map<string, TableRef>();
    // Tables the migration names, and tables with a column of a type it names (an enum it changes).
    const usesNamedType = (type: string): boolean =>
      inverse.owners.has(`public.${type.replace(/\[\]$/, '').replace(/"/g, '')}`) ||
      inverse.owners.has(type.replace(/\[\]$/, '').replace(/"/g, ''));
    for (const c of after.columns) {
      if (inverse.owners.has(`${c.schema}.${c.table}`) || (c.isEnum && usesNamedType(c.type)))
        touched.set(`${c.schema}.${c.table}`, { schema: c.schema, name: c.table });
    }
    const parents = foreignKeysIn(before, inverse.restoredConstraints);
    const sampled = await withClient(request.liveUrl, 'rollback-bot plan sample', (live) =>
      copySample(live, shadow, [...touched.values()], parents),
    );
    const values = await snapshotValues(shadow, inverse.valueChecks);
    const owners = [...inverse.owners].sort();
    try {
      for (const step of inverse.steps) await shadow.query(step.sql);
    } catch (error) {
      const rows = sampled.reduce((n, s) => n + s.rows, 0);
      return {
        inverse,
        sampled,
        expected: { owners, lines: [] },
        differences: [
          `the inverse failed on the shadow database holding ${rows} sampled live row(s): ${(error as Error).message}`,
        ],
      };
    }
    const now = await readCatalog(shadow);
    const differences = [...diffCatalogs(before, now), ...(await compareValues(shadow, inverse.valueChecks, values))];
    if (inverse.steps.length === 0 && inverse.irreversible.length > 0) {
      differences.push(
        `the inverse undoes nothing while the migration changed something ` +
          `(${inverse.irreversible.length} change(s) it cannot undo)`,
      );
    }
    const ownerSet = new Set(owners);
    return {
      inverse,
      sampled,
      differences,
      expected: {
        owners,
        lines: catalogLines(now)
          .filter((l) => ownerSet.has(l.owner))
          .map((l) => l.text),
      },
    };
  });
}
