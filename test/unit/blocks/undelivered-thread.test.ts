/**
 * Who hears about an incident whose thread Slack refuses: the requester, or
 * the CTO when the bot rolled back on its own; the CTOs get the approval
 * requests; the outcome reaches the requester. Keys are stable, so a re-render
 * updates the same direct messages.
 */
import type { ServiceConfig } from '../../../src/config/service-schema';
import type { IncidentRecord } from '../../../src/rollback/ports/incident-store';
import type { Notifier } from '../../../src/slack/outbox/notifier';
import { createRoleDirectory } from '../../../src/slack/role-directory';
import { tellPeopleDirectly, threadNotDelivered } from '../../../src/slack/undelivered-thread';
import { silentLogger } from '../../../src/logger';
import { exampleService } from '../../support/services';

function recorder(): { notifier: Notifier; dms: { user: string; key: string; text: string }[] } {
  const dms: { user: string; key: string; text: string }[] = [];
  const notifier: Notifier = {
    send: () => Promise.reject(new Error('not used')),
    sentTs: () => Promise.resolve(undefined),
    sendDirect: async (user, key, text) => void dms.push({ user, key, text }),
  };
  return { notifier, dms };
}

const service = {
  ...exampleService(),
  roles: { ...exampleService().roles, cto: ['U0CTO0001', 'S0CTOS'] },
} as ServiceConfig;
const incident = (requestedBy: string) =>
  ({ id: 'INC-7', channelId: 'C0PRODALRT', data: { requestedBy } }) as unknown as IncidentRecord;
const approval = { part: 'approval:A1', message: { text: 'Schema rollback needs approval', blocks: [] } };
const outcome = { text: 'ROLLBACK COMPLETE' };
/** The CTO role as the announcer hands it over: the group S0CTOS expanded by the role directory. */
const ctosOf = async (): Promise<readonly string[]> => {
  const directory = createRoleDirectory(
    {
      usergroups: {
        users: { list: async ({ usergroup }) => ({ users: usergroup === 'S0CTOS' ? ['U0CTO0002', 'U0CTO0001'] : [] }) },
      },
    },
    silentLogger,
  );
  return (await directory.resolve(service)).cto;
};

describe('a thread Slack refuses', () => {
  it(
    'tells the requester the problem and the fix, every CTO (user groups expanded) ' +
      'the approvals, the requester the outcome',
    async () => {
      const { notifier, dms } = recorder();
      await tellPeopleDirectly(notifier, {
        incident: incident('U0DEVOPS1'),
        service,
        refusal: 'not_in_channel',
        ctos: await ctosOf(),
        toRequester: [],
        toApprovers: [approval],
        outcome,
      });
      // Every CTO, the one named by user id and those named through the user group, once each.
      expect(dms.map((d) => [d.user, d.key])).toEqual([
        ['U0DEVOPS1', 'incident:INC-7:dm:undelivered:U0DEVOPS1'],
        ['U0CTO0001', 'incident:INC-7:dm:approval:A1:U0CTO0001'],
        ['U0CTO0002', 'incident:INC-7:dm:approval:A1:U0CTO0002'],
        ['U0DEVOPS1', 'incident:INC-7:dm:outcome:U0DEVOPS1'],
      ]);
      expect(dms[0]?.text).toMatch(/<#C0PRODALRT>: `not_in_channel`\.\nFix: invite the bot: `\/invite @rollback-bot`/);
    },
  );

  it('an autopilot rollback (no person asked): the CTO hears instead', async () => {
    const { notifier, dms } = recorder();
    await tellPeopleDirectly(notifier, {
      incident: incident('rollback-bot'),
      service,
      refusal: 'is_archived',
      ctos: ['U0CTO0001'],
      toRequester: [],
      toApprovers: [],
      outcome,
    });
    expect(dms.map((d) => [d.user, d.key])).toEqual([
      ['U0CTO0001', 'incident:INC-7:dm:undelivered:U0CTO0001'],
      ['U0CTO0001', 'incident:INC-7:dm:outcome:U0CTO0001'],
    ]);
    expect(threadNotDelivered('is_archived')).toBe(
      'thread not delivered: is_archived (fix: unarchive the channel or point the service at another channel)',
    );
  });
});
