/** View models for the block builder tests: a normal incident and hostile, oversized variants. */
import { validateBlocks } from '../../../src/standins/slack/block-kit';
import type { SlackMessage } from '../../../src/slack/blocks';
import type { SlackUserId } from '../../../src/rollback/ids';

export const TZ = 'America/New_York';
export const at = (hhmm: string): Date => new Date(`2026-01-17T${hhmm}:00-05:00`);
export const service = { name: 'dr-amal', displayName: 'Dr Amal Clinical OS' };
export const incident = { id: 'INC-2026-0117-1', url: 'https://slack.example/archives/C0ALERTS/p1768680000000100' };
export const DEVOPS = 'U0DEVOPS1' as SlackUserId;
export const CTO = 'U0CTO0001' as SlackUserId;
export const ONCALL = 'U0ONCALL1' as SlackUserId;

/** Text that must never reach Slack unescaped, repeated past every limit. */
export const HOSTILE = '<!channel> <@U0EVIL> a & b <https://evil.example|click> ';
export const huge = (n = 12_000): string => HOSTILE.repeat(Math.ceil(n / HOSTILE.length)).slice(0, n);

/** Every mrkdwn and plain text string anywhere in a payload. */
export function allTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allTexts);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own =
    (record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string' ? [record.text] : [];
  return [...own, ...Object.values(record).flatMap(allTexts)];
}

/** The checks every message must pass: Slack accepts it, and user text cannot ping or link. */
export function expectSendable(message: SlackMessage): void {
  expect(validateBlocks(message.blocks, 'message')).toEqual([]);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(3000);
  const mrkdwn = [message.text, ...allTexts(message.blocks)];
  for (const text of mrkdwn) {
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0EVIL>');
    expect(text).not.toContain('<https://evil.example');
  }
}
