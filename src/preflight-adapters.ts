/**
 * The pre-deployment checklist's two adapters besides the engine's own
 * (application, code): files of the repository at a commit, read through a
 * working clone, and the schema lint over exported migration folders. The CLI
 * (`rollback-bot preflight`) and `/rollback preflight` share them.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ServiceConfig } from './config/service-schema';
import { WorkingClone } from './git/working-clone';
import type { Logger } from './logger';
import type { CommitSha, MigrationName } from './rollback/ids';
import type { MigrationLintPort, MigrationLintVerdict, RepoFilesPort } from './rollback/preflight/ports';
import { discoverMigrationFiles } from './schema/lint/discover';
import { lintSql, worstSeverity } from './schema/lint/lint-file';
import { loadParser } from './schema/sql/parse-sql';

/**
 * Reads one file at a commit through a working clone per service. In the bot
 * give it a workspace folder of its own: the git adapter's clones there are
 * driven by the incident engine and must not be fetched or reset under it.
 * (The CLI shares the adapter's folder: it runs one check at a time.)
 */
export class GitRepoFiles implements RepoFilesPort {
  private readonly clones = new Map<string, WorkingClone>();
  constructor(private readonly options: { workspaceDir: string; env: NodeJS.ProcessEnv; logger: Logger }) {}

  async readFileAt(service: ServiceConfig, commit: CommitSha, path: string): Promise<string | undefined> {
    let clone = this.clones.get(service.name);
    if (!clone) {
      clone = new WorkingClone(service, { ...this.options, commandTimeoutMs: 120_000 });
      this.clones.set(service.name, clone);
    }
    const git = clone;
    return git.exclusive(async () => {
      await git.fetchBranch();
      const { sha } = await git.resolveExisting(commit);
      const listed = await git.run(['ls-tree', '--name-only', sha, '--', path], 'ls-tree');
      return listed.trim() === '' ? undefined : git.run(['show', `${sha}:${path}`], 'show');
    });
  }
}

export const sqlLinter: MigrationLintPort = {
  async lintMigrations(dir: string, migrations: readonly MigrationName[]): Promise<MigrationLintVerdict[]> {
    await loadParser();
    return migrations.map((migration) => {
      const folder = join(dir, migration);
      const findings = discoverMigrationFiles([folder]).flatMap((file) => {
        const shown = `${migration}/${relative(folder, file)}`;
        const { report } = lintSql(readFileSync(file, 'utf8'), shown);
        // A file that does not parse cannot be called safe: it blocks like a dangerous one.
        if (report.error)
          return [
            {
              severity: 'dangerous' as const,
              rule: 'parse-error',
              where: `${shown}:${report.error.line}`,
              message: report.error.message,
              fix: 'Fix the SQL at that position.',
            },
          ];
        return report.findings.map((f) => ({
          severity: f.severity,
          rule: f.rule,
          where: `${shown}:${f.line}`,
          message: f.message,
          fix: f.fix,
        }));
      });
      return { migration, verdict: worstSeverity(findings), findings };
    });
  },
};
