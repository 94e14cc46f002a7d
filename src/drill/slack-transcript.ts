/**
 * The Slack side of the drill as a reader sees it. Reads what the bot did on
 * the Slack stand-in (posts, edits, direct messages, answers to commands and
 * clicks) and prints each message once, as text rendered from its blocks; an
 * edit that changes what a reader sees is printed again as "(updated)". It
 * also keeps the messages so the drill can wait for the one it expects.
 */
import { readMrkdwn, renderText } from '../slack/blocks/render-text';
import type { RecordedCall, SlackStandin } from '../standins/slack/server';

export interface SlackMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  /** As a reader sees it (blocks rendered, mentions as names). */
  rendered: string;
  /** The blocks as last posted or updated. */
  blocks: unknown[];
  /** Edits seen so far. */
  edits: number;
  readonly postedAt: number;
}

interface Answer {
  readonly id: string;
  readonly text: string;
}

const INDENT = '    ';

function parseBlocks(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * An edit as a reader notices it: the first line (what the message is), the
 * lines that are new or changed, and "…" for each run of unchanged ones.
 */
export function changedLines(before: string, after: string): string {
  const seen = new Map<string, number>();
  for (const line of before.split('\n')) seen.set(line, (seen.get(line) ?? 0) + 1);
  const out: string[] = [];
  after.split('\n').forEach((line, index) => {
    const left = seen.get(line) ?? 0;
    if (left > 0) seen.set(line, left - 1);
    const keep = index === 0 || left === 0;
    if (keep) out.push(line);
    else if (out.at(-1) !== '…') out.push('…');
  });
  return out.join('\n');
}

function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}

export class SlackTranscript {
  private readonly byKey = new Map<string, SlackMessage>();
  private readonly answers: Answer[] = [];
  private callsRead = 0;
  private responsesRead = 0;
  private readonly answerOwners = new Map<string, string>();

  constructor(
    private readonly slack: SlackStandin,
    private readonly print: (line: string) => void,
    private readonly names: ReadonlyMap<string, string>,
  ) {}

  /** Mentions and channel ids as names: "@U0DEVOPS1" reads "@devops-lead". */
  humanise(text: string): string {
    return text.replace(/([@#])([UWSCGD][A-Z0-9]{2,})\b/g, (whole, sign: string, id: string) => {
      const name = this.names.get(id);
      return name ? `${sign}${name}` : whole;
    });
  }

  render(text: unknown, blocks: unknown): string {
    const parsed = parseBlocks(blocks);
    const shown = parsed.length > 0 ? renderText(parsed) : readMrkdwn(typeof text === 'string' ? text : '');
    return this.humanise(shown.trim());
  }

  /** Prints a block of text as a message in a channel or thread. */
  printMessage(where: string, who: string, at: number, body: string, nested = false, note = ''): void {
    const pad = nested ? `${INDENT}  ` : INDENT;
    this.print(`${pad}${nested ? '↳ ' : ''}${where}  ${who}  ${clock(at)}${note}`);
    for (const line of body.split('\n')) this.print(`${pad}│ ${line}`);
  }

  responseUrl(responseId: string): string {
    return this.slack.responseUrl(responseId);
  }

  /** Says who will receive the answer posted to a response_url (a command's or a click's). */
  expectAnswer(responseId: string, user: string): void {
    this.answerOwners.set(responseId, user);
  }

  private channelName(id: string): string {
    if (id.startsWith('D')) return 'direct message';
    return `#${this.slack.workspace.channels.get(id)?.name ?? id}`;
  }

  private dmRecipient(channel: string): string | undefined {
    const open = this.slack.calls.find(
      (c) =>
        c.method === 'conversations.open' &&
        c.answer.ok &&
        (c.answer.channel as { id?: string } | undefined)?.id === channel,
    );
    const users = open ? String(open.params.users ?? '') : '';
    return users
      ? users
          .split(',')
          .map((u) => `@${this.names.get(u) ?? u}`)
          .join(', ')
      : undefined;
  }

  private threadLabel(channel: string, threadTs: string): string {
    const incident = /\bINC-[A-Z0-9-]+/.exec(this.byKey.get(`${channel}:${threadTs}`)?.rendered ?? '')?.[0];
    return `in the thread${incident ? ` of ${incident}` : ''}`;
  }

  private onCall(call: RecordedCall): void {
    if (!call.answer.ok) return;
    if (call.method === 'chat.postMessage') {
      const channel = String(call.answer.channel ?? call.params.channel ?? '');
      const ts = String(call.answer.ts ?? '');
      const threadTs = typeof call.params.thread_ts === 'string' ? call.params.thread_ts : undefined;
      const message: SlackMessage = {
        channel,
        ts,
        threadTs,
        rendered: this.render(call.params.text, call.params.blocks),
        blocks: parseBlocks(call.params.blocks),
        edits: 0,
        postedAt: call.at,
      };
      this.byKey.set(`${channel}:${ts}`, message);
      const where = channel.startsWith('D')
        ? `direct message to ${this.dmRecipient(channel) ?? channel}`
        : threadTs
          ? this.threadLabel(channel, threadTs)
          : this.channelName(channel);
      this.printMessage(where, 'rollback-bot', call.at, message.rendered, threadTs !== undefined);
    } else if (call.method === 'chat.update') {
      const channel = String(call.params.channel ?? '');
      const message = this.byKey.get(`${channel}:${String(call.params.ts ?? '')}`);
      if (!message) return;
      const rendered = this.render(call.params.text, call.params.blocks);
      message.blocks = parseBlocks(call.params.blocks);
      message.edits += 1;
      if (rendered === message.rendered) return;
      const shown = changedLines(message.rendered, rendered);
      message.rendered = rendered;
      this.printMessage(
        message.threadTs ? this.threadLabel(channel, message.threadTs) : this.channelName(channel),
        'rollback-bot',
        call.at,
        shown,
        message.threadTs !== undefined,
        ' (updated)',
      );
    }
  }

  /** Reads what happened on the stand-in since the last sync and prints it. */
  sync(): void {
    const calls = this.slack.calls;
    while (this.callsRead < calls.length) {
      const call = calls[this.callsRead];
      this.callsRead += 1;
      if (call) this.onCall(call);
    }
    const responses = this.slack.responses;
    while (this.responsesRead < responses.length) {
      const post = responses[this.responsesRead];
      this.responsesRead += 1;
      if (!post) continue;
      const text = this.render(post.body.text, post.body.blocks);
      this.answers.push({ id: post.id, text });
      const owner = this.answerOwners.get(post.id);
      this.printMessage(`only visible to ${owner ? `@${owner}` : 'the clicker'}`, 'rollback-bot', post.at, text);
    }
  }

  messages(): SlackMessage[] {
    this.sync();
    return [...this.byKey.values()];
  }

  answer(id: string): Answer | undefined {
    this.sync();
    return this.answers.find((a) => a.id === id);
  }

  /** The root posts in a channel whose text includes the words, oldest first. */
  roots(words: string, after = 0): SlackMessage[] {
    return this.messages().filter(
      (m) => !m.threadTs && !m.channel.startsWith('D') && m.postedAt >= after && m.rendered.includes(words),
    );
  }

  thread(rootTs: string): SlackMessage[] {
    return this.messages().filter((m) => m.threadTs === rootTs);
  }
}
