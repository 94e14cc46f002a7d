/**
 * The people of the runbook's authority matrix, played by the drill. They act
 * on the bot only the way people do in Slack: signed slash commands and clicks
 * on the bot's buttons and checkboxes, sent to its HTTP endpoint. What they do
 * and what the bot answers them is printed with the thread.
 */
import { randomBytes } from 'node:crypto';
import type { SlackRequestSender } from '../standins/slack/signed-requests';
import type { SlackMessage, SlackTranscript } from './slack-transcript';
import { waitUntil } from './wait';

export interface Person {
  readonly id: string;
  readonly name: string;
}

export const PEOPLE = {
  devopsLead: { id: 'U0DEVOPS1', name: 'devops-lead' },
  cto: { id: 'U0CTO0001', name: 'cto' },
  dba: { id: 'U0DBADMIN', name: 'dba' },
  onCall: { id: 'U0ONCALL1', name: 'on-call' },
} as const satisfies Record<string, Person>;

export const ON_CALL_GROUP = { id: 'S0ONCALL1', name: 'on-call-engineers' };

interface CommandAnswer {
  readonly status: number;
  readonly text: string;
  readonly responseId: string;
}

interface Checkboxes {
  readonly blockId: string;
  readonly actionId: string;
  readonly options: Array<{ text: unknown; value: string }>;
  readonly ticked: string[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every checkboxes element in a message's blocks (actions elements or section accessories). */
export function checkboxesIn(blocks: readonly unknown[]): Checkboxes[] {
  const found: Checkboxes[] = [];
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const elements = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      ...(block.accessory ? [block.accessory] : []),
    ];
    for (const element of elements) {
      if (!isObject(element) || element.type !== 'checkboxes' || typeof element.action_id !== 'string') continue;
      const options = (Array.isArray(element.options) ? element.options : [])
        .filter(isObject)
        .map((o) => ({ text: o.text, value: String(o.value ?? '') }));
      const ticked = (Array.isArray(element.initial_options) ? element.initial_options : [])
        .filter(isObject)
        .map((o) => String(o.value ?? ''));
      found.push({ blockId: String(block.block_id ?? ''), actionId: element.action_id, options, ticked });
    }
  }
  return found;
}

export interface Button {
  readonly actionId: string;
  readonly value: string;
  readonly blockId: string;
  readonly label: string;
}

/** Every button in a message's blocks, with the block it sits in. */
export function buttonsIn(blocks: readonly unknown[]): Button[] {
  const found: Button[] = [];
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const elements = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      ...(block.accessory ? [block.accessory] : []),
    ];
    for (const element of elements) {
      if (!isObject(element) || element.type !== 'button' || typeof element.action_id !== 'string') continue;
      const label =
        isObject(element.text) && typeof element.text.text === 'string' ? element.text.text : element.action_id;
      found.push({
        actionId: element.action_id,
        value: String(element.value ?? ''),
        blockId: String(block.block_id ?? ''),
        label,
      });
    }
  }
  return found;
}

export class People {
  constructor(
    private readonly sender: SlackRequestSender,
    private readonly transcript: SlackTranscript,
    private readonly channel: string,
  ) {}

  private say(person: Person, what: string): void {
    this.transcript.printMessage(this.transcript.humanise(`#${this.channel}`), `@${person.name}`, Date.now(), what);
  }

  /** Types a /rollback command (or /rollout); returns the bot's immediate (ephemeral) answer. */
  async command(person: Person, text: string, command: '/rollback' | '/rollout' = '/rollback'): Promise<CommandAnswer> {
    const responseId = randomBytes(6).toString('hex');
    this.transcript.expectAnswer(responseId, person.name);
    this.say(person, `${command} ${text}`);
    const response = await this.sender.slashCommand({
      text,
      userId: person.id,
      channelId: this.channel,
      responseId,
      command,
    });
    let shown = response.text;
    try {
      const body = JSON.parse(response.text) as { text?: unknown; blocks?: unknown };
      shown = this.transcript.render(body.text, body.blocks);
    } catch {
      // Not JSON: an empty ack or an HTTP error page, shown as it came.
    }
    this.transcript.printMessage(
      `only visible to @${person.name}`,
      'rollback-bot',
      Date.now(),
      response.status === 200 ? shown || '(empty acknowledgement)' : `HTTP ${response.status}: ${shown}`,
    );
    return { status: response.status, text: shown, responseId };
  }

  /** Clicks a button on one of the bot's messages; returns the ephemeral answer, if one came within the deadline. */
  async clickButton(
    person: Person,
    message: SlackMessage,
    button: Button,
    answerWithinMs = 10_000,
  ): Promise<string | undefined> {
    const responseId = randomBytes(6).toString('hex');
    this.transcript.expectAnswer(responseId, person.name);
    this.say(person, `(clicks [${button.label}])`);
    const ack = await this.sender.blockAction({
      userId: person.id,
      actionId: button.actionId,
      value: button.value,
      channelId: message.channel,
      messageTs: message.ts,
      blockId: button.blockId,
      responseId,
    });
    if (ack.status !== 200) return `HTTP ${ack.status}`;
    return (await waitUntil(() => this.transcript.answer(responseId), answerWithinMs))?.text;
  }

  /** Ticks one more checkbox of a checkboxes element, sending every ticked option as Slack does. */
  async tick(person: Person, message: SlackMessage, boxes: Checkboxes, value: string, label: string): Promise<number> {
    const responseId = randomBytes(6).toString('hex');
    this.transcript.expectAnswer(responseId, person.name);
    this.say(person, `(ticks "${label}")`);
    const selected = boxes.options.filter((o) => o.value === value || boxes.ticked.includes(o.value));
    const ack = await this.sender.interaction({
      type: 'block_actions',
      user: { id: person.id, username: person.name, team_id: 'T0STANDIN' },
      channel: { id: message.channel, name: this.transcript.humanise(`#${message.channel}`).slice(1) },
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
      message: {
        ts: message.ts,
        type: 'message',
        text: '',
        blocks: message.blocks,
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      },
      response_url: this.transcript.responseUrl(responseId),
      actions: [
        {
          type: 'checkboxes',
          action_id: boxes.actionId,
          block_id: boxes.blockId,
          selected_options: selected,
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    });
    return ack.status;
  }
}
