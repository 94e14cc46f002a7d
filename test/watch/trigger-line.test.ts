/**
 * The incident's Trigger line in ROLLBACK IN PROGRESS: the bot's attribution
 * "/rollback by <@U…>" shows the person as a mention, while the rest of the
 * trigger stays escaped text (no <!channel>, no links, no other mentions).
 */
import { rollbackInProgress } from '../../src/slack/blocks';
import { parseServiceName } from '../../src/rollback/ids';

const view = (trigger: string) => ({
  incident: { id: 'INC-20260120-0001' },
  service: { name: parseServiceName('dr-amal-clinical-os'), displayName: 'Dr Amal Clinical OS' },
  kind: 'application' as const,
  issue: 'Sign-in returns 500',
  trigger,
  target: { version: '1.9.0' },
  etaMinutes: 5,
  owner: 'U0DEVOPS1',
  startedAt: new Date('2026-01-20T14:02:00Z'),
  timeZone: 'America/New_York',
});

const triggerLine = (trigger: string): string => {
  const body = (rollbackInProgress(view(trigger)).blocks[1] as { text: { text: string } }).text.text;
  const line = body.split('\n').find((l) => l.startsWith('*Trigger:*'));
  if (!line) throw new Error(`no Trigger line in ${body}`);
  return line;
};

describe('the Trigger line of ROLLBACK IN PROGRESS', () => {
  it('lets the "by <@U…>" attribution through as a mention', () => {
    expect(triggerLine('/rollback by <@U0DEVOPS1>')).toBe('*Trigger:* /rollback by <@U0DEVOPS1>');
    expect(triggerLine('MUST roll back: auth completely broken, opened by <@U0ONCALL1> from the alerts post')).toBe(
      '*Trigger:* MUST roll back: auth completely broken, opened by <@U0ONCALL1> from the alerts post',
    );
  });

  it('escapes everything else: broadcasts, links, other and look-alike mentions, ampersands', () => {
    expect(triggerLine('<!channel> see <https://evil.example|here> & <@devops-lead> <@U0DEVOPS1|fake>')).toBe(
      '*Trigger:* &lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; ' +
        '&lt;@devops-lead&gt; &lt;@U0DEVOPS1|fake&gt;',
    );
    expect(triggerLine('5xx > 25% <@U0DEVOPS1>')).toBe('*Trigger:* 5xx &gt; 25% &lt;@U0DEVOPS1&gt;');
    expect(triggerLine('<!here> by <@U0DEVOPS1> & <@U0EVIL>')).toBe(
      '*Trigger:* &lt;!here&gt; by <@U0DEVOPS1> &amp; &lt;@U0EVIL&gt;',
    );
  });
});
