/**
 * Checklist item "Test Git Revert": a test commit on a throwaway branch of the
 * service's repository, reverted by the bot's own git worker (Option A, the
 * same code the bot runs for `/rollback revert`), the branch's tree checked
 * against where it started, and the branch deleted. The deploy branch is never
 * pushed to.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceConfig } from '../../config/service-schema';
import { buildGitEnv, redactSecrets } from '../../git/git-env';
import { GitCodeRollback } from '../../git/git-code-rollback';
import { createLogger } from '../../logger';
import type { CommitSha, IncidentId, ServiceName, SlackUserId } from '../../rollback/ids';
import { drillBranch } from './prepare';
import { type PartResult, type StagingContext, runPart } from './parts';

const run = promisify(execFile);

export function stagingGitRevert(ctx: StagingContext): Promise<PartResult> {
  return runPart('Test Git Revert (throwaway branch)', async (facts) => {
    const { service, target } = ctx;
    const branch = drillBranch(target.runId);
    const { env: gitEnv, secrets } = buildGitEnv(service, ctx.env);
    const env = {
      ...gitEnv,
      GIT_AUTHOR_NAME: service.git.committer.name,
      GIT_AUTHOR_EMAIL: service.git.committer.email,
      GIT_COMMITTER_NAME: service.git.committer.name,
      GIT_COMMITTER_EMAIL: service.git.committer.email,
    };
    const work = join(ctx.dir, 'branch-work');
    const git = async (...args: string[]): Promise<string> => {
      try {
        return (await run('git', args, { cwd: work, env, maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
        throw new Error(`git ${args[0]} failed: ${redactSecrets(stderr, secrets).trim().slice(0, 400)}`);
      }
    };
    mkdirSync(work, { recursive: true });
    await git(
      'clone',
      '-q',
      '--no-tags',
      '--single-branch',
      '--branch',
      service.git.branch,
      '--depth',
      '20',
      service.git.remote,
      '.',
    );
    const base = await git('rev-parse', 'HEAD');
    await git('checkout', '-q', '-b', branch);
    mkdirSync(join(work, '.rollback-drill'), { recursive: true });
    writeFileSync(
      join(work, '.rollback-drill', `${target.runId}.md`),
      `Test commit of the rollback drill ${target.runId}; reverted by the drill.\n`,
    );
    await git('add', '--', `.rollback-drill/${target.runId}.md`);
    await git('commit', '-q', '-m', `chore: rollback drill test commit (${target.runId})`);
    const testCommit = await git('rev-parse', 'HEAD');
    await git('push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
    facts.push(
      `Pushed ${branch} from ${service.git.branch} (${base.slice(0, 7)}) with test commit ${testCommit.slice(0, 7)}.`,
    );
    ctx.note(`pushed ${branch} with test commit ${testCommit.slice(0, 7)}`);
    const problems: string[] = [];
    try {
      const onBranch = { ...service, git: { ...service.git, branch } } as ServiceConfig;
      const worker = new GitCodeRollback({
        services: [onBranch],
        workspaceDir: join(ctx.dir, 'git-worker'),
        logger: createLogger('silent'),
        env: ctx.env,
      });
      const reverted = await worker.revert({
        service: service.name as ServiceName,
        incidentId: `INC-DRILL-${target.runId}` as IncidentId,
        requestedBy: ctx.bot.devopsLead.id as SlackUserId,
        target: { commit: testCommit as CommitSha },
      });
      facts.push(
        `The bot's git worker reverted it: ${reverted.commit.slice(0, 7)} pushed to ${branch} (${reverted.status}).`,
      );
      await git('fetch', '-q', 'origin', `refs/heads/${branch}`);
      const changed = await git('diff', '--name-only', base, 'FETCH_HEAD');
      if (changed !== '')
        problems.push(
          `after the revert ${branch} still differs from ${service.git.branch}: ${changed.split('\n').join(', ')}`,
        );
      else {
        facts.push(
          `${branch} is in a clean state: its tree equals ${service.git.branch}'s (${base.slice(0, 7)}), history kept.`,
        );
        ctx.note(`reverted as ${reverted.commit.slice(0, 7)}: the branch's tree is back to ${base.slice(0, 7)}`);
      }
    } finally {
      await git('push', '-q', 'origin', '--delete', branch).then(
        () => facts.push(`Deleted ${branch}.`),
        (error: unknown) => problems.push(`could not delete ${branch}: ${(error as Error).message}; delete it by hand`),
      );
    }
    return problems;
  });
}
