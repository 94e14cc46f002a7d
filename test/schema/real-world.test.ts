/**
 * The real-world check: 36 migration.sql files of cal.com's Prisma migrations
 * folder (see test/fixtures/schema/real-world/README.md) lint without parse
 * errors, and findings reviewed by hand stay as reviewed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/lint-migrations';

const CALCOM = join(__dirname, '..', 'fixtures', 'schema', 'real-world', 'calcom');

interface JsonFinding {
  rule: string;
  severity: string;
  line: number;
  statement: string;
}
interface JsonFile {
  path: string;
  verdict: string;
  findings: JsonFinding[];
}

describe('real-world check: cal.com migrations', () => {
  let files: JsonFile[] = [];
  let code = -1;
  let err = '';

  beforeAll(async () => {
    let out = '';
    code = await run([CALCOM, '--format', 'json'], { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
    files = (JSON.parse(out || '{"files":[]}') as { files: JsonFile[] }).files;
  });

  const file = (migration: string): JsonFile => {
    const found = files.find((f) => f.path.includes(`/${migration}/migration.sql`));
    if (!found) throw new Error(`${migration} was not linted`);
    return found;
  };
  const rules = (migration: string): string[] =>
    file(migration)
      .findings.filter((f) => f.severity !== 'safe')
      .map((f) => `${f.severity}:${f.rule}`);

  it('lints every fixture without a parse error', () => {
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(files).toHaveLength(readdirSync(CALCOM, { withFileTypes: true }).filter((e) => e.isDirectory()).length);
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it('flags the drops, renames and required columns Prisma itself warns about', () => {
    expect(rules('20220306023650_renames_verification_request_to_verification_token')).toEqual([
      'dangerous:drop-table',
    ]);
    expect(rules('20220421105300_rename_column_trigger_event_to_trigger_event')).toEqual([
      'dangerous:drop-column',
      'dangerous:add-column-not-null-no-default',
    ]);
    expect(rules('20220305233635_availability_schedules')).toEqual([
      'dangerous:drop-column',
      'dangerous:drop-column',
      'dangerous:drop-column',
      'dangerous:add-column-not-null-no-default',
      'dangerous:set-not-null',
      'warning:create-index-blocking',
      'warning:constraint-without-not-valid',
    ]);
    expect(rules('20210814175645_custom_inputs_type_enum')).toEqual([
      'dangerous:rename-column',
      'warning:update-in-migration',
      'dangerous:set-not-null',
      'dangerous:drop-column',
    ]);
  });

  it('sees a foreign key dropped and re-added with a new ON DELETE as a replacement, not a drop', () => {
    const upgrade = file('20211231142312_add_user_on_delete_cascade');
    expect(upgrade.verdict).toBe('warning');
    expect(upgrade.findings.filter((f) => f.rule === 'replace-foreign-key')).toHaveLength(6);
    // A foreign key dropped for good (teams replaced the user relation) stays dangerous.
    expect(rules('20210908042159_teams_feature')[0]).toBe('dangerous:drop-constraint');
  });

  it(
    'keeps the safe ones safe: constant defaults, nullable columns, new tables and ' + 'their indexes, enum additions',
    () => {
      for (const migration of [
        '20210904162403_add_booking_status_enum',
        '20220409155714_impersonate_users',
        '20220131170110_add_metadata_column_to_event_type',
        '20220423175732_added_next_auth_models',
        '20240920100549_add_daily_no_show',
        '20220305233635_rename_indexes',
      ]) {
        expect([migration, file(migration).verdict]).toEqual([migration, 'safe']);
      }
    },
  );

  it('warns about blocking index builds on live tables, and data backfills', () => {
    const indexes = file('20230410234751_add_foreign_key_indexes');
    expect(indexes.verdict).toBe('warning');
    expect(indexes.findings.every((f) => f.rule === 'create-index-blocking')).toBe(true);
    expect(indexes.findings).toHaveLength(61);
    expect(rules('20210830064354_add_unique_to_team_slug')).toEqual(['warning:create-index-blocking']);
    expect(rules('20211115182559_availability_issue')).toEqual(['warning:insert-from-select']);
    expect(rules('20220501221906_adds_app_relation_to_credentials')).toEqual(
      Array(15).fill('warning:update-in-migration'),
    );
  });
});
