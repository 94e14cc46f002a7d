/**
 * Issue 13's small items: checklist descriptions keep whole sentences within
 * Slack's 75 characters, and user text echoed in a /rollback answer cannot
 * mention anyone or break the markup.
 */
import { followUpChecklist } from '../../../src/rollback/follow-up/checklist';
import { followUpChecklistMessage } from '../../../src/slack/blocks/follow-up-checklist';
import { wholeParts } from '../../../src/slack/blocks/text';
import { preflightReply } from '../../../src/slack/listeners/commands/rollback';
import { exampleService } from '../../support/services';
import { TZ, incident, service } from './fixtures';

describe('whole parts within a limit', () => {
  it('keeps whole parts and says how many were left out, never cutting one in the middle', () => {
    const details = [
      'Check all critical endpoints (auth, read, write)',
      'Verify rate limiting working',
      'Check database connectivity',
      'Review logs for anomalies',
    ];
    const text = wholeParts(details, 75);
    expect(text).toBe('Check all critical endpoints (auth, read, write) (+3 more)');
    expect(text.length).toBeLessThanOrEqual(75);
    expect(wholeParts(['a', 'b'], 75)).toBe('a; b');
  });

  it('cuts a single part longer than the limit at a word, with an ellipsis', () => {
    const text = wholeParts(['word '.repeat(30).trim(), 'next'], 40);
    expect(text.length).toBeLessThanOrEqual(40);
    expect(text).toMatch(/^word( word)*… \(\+1 more\)$/);
  });

  it('the checklist options describe each action with whole details only', () => {
    const items = followUpChecklist(new Date('2026-01-17T19:15:00Z'));
    const message = followUpChecklistMessage({
      timeZone: TZ,
      incident,
      service,
      restoredAt: new Date('2026-01-17T19:15:00Z'),
      owner: 'U0DEVOPS1',
      items,
    });
    const descriptions =
      JSON.stringify(message.blocks).match(/"description":\{"type":"plain_text","text":"[^"]*"/g) ?? [];
    expect(descriptions.length).toBe(items.length);
    for (const d of descriptions) {
      expect(d).not.toContain('…');
      expect(JSON.parse(`{${d}}}`).description.text.length).toBeLessThanOrEqual(75);
    }
  });
});

describe('echoed user text', () => {
  it('an unknown service named in /rollback is echoed escaped: no @channel, no broken markup', () => {
    const reply = preflightReply({ kind: 'status', service: '<!channel> & <@U0CTO0001>' } as never, [exampleService()]);
    expect(reply?.text).toContain('&lt;!channel&gt; &amp; &lt;@U0CTO0001&gt;');
    expect(reply?.text).not.toContain('<!channel>');
  });
});
