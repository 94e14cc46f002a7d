import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/lint-migrations';
import { APP_MIGRATIONS } from './support/prisma-app';

async function lint(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

describe('lint-migrations CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lint-cli-'));
  const safe = join(dir, 'safe.sql');
  const warn = join(dir, 'warn.sql');
  const bad = join(dir, 'bad.sql');
  writeFileSync(safe, 'ALTER TABLE "A" ADD COLUMN "b" TEXT;\n');
  writeFileSync(warn, 'CREATE INDEX "i" ON "A"("b");\n');
  writeFileSync(bad, 'SELECT 1;\n\nALTER TABLE "A" ADD COLUMN;\n');

  it('exits 0 for safe and warning files, 1 when any file is dangerous', async () => {
    expect((await lint([safe, warn])).code).toBe(0);
    const folder = await lint([APP_MIGRATIONS]);
    expect(folder.code).toBe(1);
    expect(folder.out).toMatch(/20260117000000_add_ai_features\/migration.sql: dangerous/);
  });

  it('prints the JSON shape CI reads', async () => {
    const { code, out } = await lint([warn, '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      files: [
        {
          path: expect.stringContaining('warn.sql'),
          verdict: 'warning',
          findings: [
            {
              rule: 'create-index-blocking',
              severity: 'warning',
              line: 1,
              statement: 'CREATE INDEX "i" ON "A"("b")',
              message: expect.any(String),
              fix: expect.stringContaining('CONCURRENTLY'),
            },
          ],
        },
      ],
    });
  });

  it('exits 2 on a parse error, still linting and reporting every other file, and on usage errors', async () => {
    const parsed = await lint([safe, bad]);
    expect(parsed.code).toBe(2);
    expect(parsed.out).toMatch(/safe\.sql: safe/);
    expect(parsed.out).toMatch(/bad\.sql: error\n {2}ERROR .*bad\.sql:3:27: syntax error at or near ";"/);
    expect(parsed.out).toMatch(/1 not parsed/);
    expect((await lint([])).code).toBe(2);
    expect((await lint([safe, '--format', 'xml'])).code).toBe(2);
    expect((await lint([join(dir, 'missing.sql')])).code).toBe(2);
  });
});
