/**
 * The staging drill's report to keep: the runbook's "Rollback Simulation
 * Checklist" ticked by what passed, with what was done and measured, and the
 * bot's messages as a reader saw them. Markdown, pure.
 */
import type { PartResult } from './parts';
import type { StagingTarget } from './prepare';
import { seconds } from '../wait';

interface ReportInput {
  readonly target: StagingTarget;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly parts: readonly PartResult[];
  /** The Slack thread lines as printed during the drill. */
  readonly transcript: readonly string[];
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

export function stagingReport(input: ReportInput): string {
  const { target, parts } = input;
  const { service } = target;
  const passed = parts.length > 0 && parts.every((p) => p.passed);
  const lines = [
    `# Rollback drill report: ${service.displayName ?? service.name}`,
    '',
    `- **Result:** ${passed ? 'PASSED' : 'FAILED'}`,
    `- **When:** ${input.startedAt.toISOString()} to ${input.finishedAt.toISOString()} ` +
      `(${seconds(input.finishedAt.getTime() - input.startedAt.getTime())})`,
    `- **Drill run:** ${target.runId}`,
    `- **Vercel project:** ` +
      `${service.vercel.projectId}${service.vercel.teamId ? ` (team ${service.vercel.teamId})` : ''}, ` +
      `production ${service.production.url}`,
    `- **Repository:** ${service.git.remote} (deploy branch ${service.git.branch})`,
    `- **Database:** ${hostOf(target.appDatabaseUrl)}`,
    '',
    '## Rollback Simulation Checklist',
    '',
    'The runbook\'s "Rollback Testing (Pre-Launch)" items, run by `rollback-bot drill --service`.',
    '',
  ];
  for (const part of parts) {
    lines.push(`- [${part.passed ? 'x' : ' '}] **${part.title}** (${seconds(part.ms)})`);
    for (const fact of part.facts) lines.push(`  - ${fact}`);
    for (const problem of part.problems) lines.push(`  - **Problem:** ${problem}`);
  }
  lines.push('- [ ] **Test Backup Restoration**: not run by the drill; follow BACKUP_RECOVERY_PROCEDURES.md.', '');
  if (input.transcript.length > 0) {
    lines.push(
      "## The bot's messages",
      '',
      'As a reader saw them in Slack (the drill talks to the bot through a local Slack stand-in).',
      '',
      '```text',
      ...input.transcript,
      '```',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
