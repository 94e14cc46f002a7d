/**
 * Preflight for the git integration: Vercel blocks a pushed commit whose
 * author it cannot tie to a member of the team (BLOCKED, TEAM_ACCESS_REQUIRED),
 * so the bot's committer email is looked up among the team's members.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { DeployIdentityCheck } from '../rollback/ports/application';
import type { VercelClient } from './client';

export async function checkCommitter(client: VercelClient, service: ServiceConfig): Promise<DeployIdentityCheck> {
  const email = service.git.committer.email;
  if (!service.vercel.deploysOnPush) {
    return {
      status: 'pass',
      detail:
        `${service.name} deploys through the upload path with VERCEL_TOKEN; the commit ` +
        `author is not checked by Vercel.`,
    };
  }
  const teamId = service.vercel.teamId;
  if (!teamId) {
    return {
      status: 'skip',
      detail: 'A personal Vercel account has no team to look in.',
      fix: `Make git.committer.email (${email}) an email of the Vercel account's own git identity.`,
    };
  }
  if (await client.isTeamMember(teamId, email)) {
    return {
      status: 'pass',
      detail: `${email} (git.committer) is a member of Vercel team ${teamId}: the bot's reverts will deploy.`,
    };
  }
  return {
    status: 'fail',
    detail:
      `No member of Vercel team ${teamId} has the email ${email} (git.committer): ` +
      `Vercel would block the bot's reverts (BLOCKED, TEAM_ACCESS_REQUIRED).`,
    fix:
      'Set git.committer.email to the email of a team member (a bot seat), invite that ' +
      'identity to the team, or set vercel.deploysOnPush to false to deploy through the ' +
      'upload path.',
  };
}
