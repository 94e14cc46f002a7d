/**
 * Monitoring, played by the drill: Prometheus measures production's 5xx share
 * with real requests to the Vercel stand-in's production host, and
 * Alertmanager posts its Slack notification (the attachment its slack_configs
 * send) into the alerts channel while the rule `5xx ratio > 25%` holds, and a
 * RESOLVED one when it stops. The messages reach the bot as Slack sends them:
 * signed Events API callbacks to its HTTP endpoint. Traffic to a broken
 * deployment grows as it serves, so its 5xx share climbs.
 */
import type { SlackRequestSender } from '../standins/slack/signed-requests';
import type { VercelStandin } from '../standins/vercel/server';
import { BROKEN_ERROR_RATES } from './scratch-app';
import type { SlackTranscript } from './slack-transcript';

export const ALERT_NAME = 'HighHttp5xxRate';
/** The alerting rule's threshold: the runbook's MUST ("5xx error rate >25%"). */
export const FIVE_XX_THRESHOLD = 0.25;
const SCRAPE_EVERY_MS = 2000;
const REQUESTS_PER_SCRAPE = 20;
/** Scrapes the rate is computed over (Prometheus' rate()[1m] at this pace). */
const WINDOW = 3;

interface AlertingDeps {
  readonly vercel: VercelStandin;
  readonly service: string;
  readonly channel: string;
  readonly sender: SlackRequestSender;
  readonly transcript: SlackTranscript;
  /** True for deployments whose code is broken (their error rate climbs while they serve). */
  readonly isBroken: (deploymentId: string) => boolean;
  /** The alert source is switched off: Prometheus still measures (traffic flows), Alertmanager posts nothing. */
  readonly silent?: boolean;
}

interface AlertPost {
  readonly at: number;
  readonly firing: boolean;
  readonly rate: number;
  readonly status: number;
}

const pct = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

const ALERTMANAGER_LINK = 'http://alertmanager.drill.local:9093/#/alerts?receiver=slack-prod-alerts';

/**
 * The attachment Alertmanager's slack_configs post for the drill's rule: the
 * default title and title_link, and the usual text template with the rule's
 * annotations. `{{ $value }}` is in the Value line (a fraction) and rendered
 * into the description (a percent), so the bot reads the measured 5xx share
 * and its 5xx rule, not judgement, decides.
 */
export function alertmanagerNotification(
  service: string,
  firing: boolean,
  rate: number,
): { title: string; text: string; link: string } {
  const title = firing
    ? `[FIRING:1] ${ALERT_NAME} (${service} critical)`
    : `[RESOLVED] ${ALERT_NAME} (${service} critical)`;
  const text = [
    `*Alert:* HTTP 5xx error rate above ${pct(FIVE_XX_THRESHOLD)} on ${service} - \`critical\``,
    `*Description:* ${pct(rate)} of requests to ${service} answered 5xx over the last minute.`,
    `*Value:* ${rate.toFixed(3)}`,
    '*Details:*',
    ` • *alertname:* \`${ALERT_NAME}\``,
    ` • *service:* \`${service}\``,
    ' • *severity:* `critical`',
  ].join('\n');
  return { title, text, link: ALERTMANAGER_LINK };
}

export class Alerting {
  readonly posts: AlertPost[] = [];
  /** Notifications the rule would have posted with the alert source switched off. */
  silenced = 0;
  private readonly window: { total: number; errors: number }[] = [];
  private firing = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: AlertingDeps) {}

  start(): void {
    const tick = (): void => {
      if (this.running) return;
      this.running = this.scrape()
        .catch((error: unknown) =>
          this.deps.transcript.printMessage(
            this.channelLabel(),
            'Prometheus',
            Date.now(),
            `scrape failed: ${(error as Error).message}`,
          ),
        )
        .finally(() => {
          this.running = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, SCRAPE_EVERY_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private channelLabel(): string {
    return this.deps.transcript.humanise(`#${this.deps.channel}`);
  }

  private async scrape(): Promise<void> {
    const { vercel, isBroken } = this.deps;
    const live = vercel.state.production();
    if (live && isBroken(live.id)) {
      const next = BROKEN_ERROR_RATES.find((rate) => rate > live.app.errorRate);
      if (next !== undefined) vercel.state.setApp(live.id, { errorRate: next });
    }
    const statuses = await Promise.all(
      Array.from({ length: REQUESTS_PER_SCRAPE }, () =>
        fetch(`${vercel.appUrl}/`)
          .then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          })
          .catch(() => 599),
      ),
    );
    this.window.push({ total: statuses.length, errors: statuses.filter((s) => s >= 500).length });
    if (this.window.length > WINDOW) this.window.shift();
    const total = this.window.reduce((n, s) => n + s.total, 0);
    const rate = total === 0 ? 0 : this.window.reduce((n, s) => n + s.errors, 0) / total;
    if (rate > FIVE_XX_THRESHOLD) {
      this.firing = true;
      await this.post(true, rate);
    } else if (this.firing) {
      this.firing = false;
      await this.post(false, rate);
    }
  }

  /**
   * Alertmanager's Slack notification, carrying the measured share where the bot reads it (see
   * alertmanagerNotification).
   */
  private async post(firing: boolean, rate: number): Promise<void> {
    const { service, channel, sender, transcript } = this.deps;
    if (this.deps.silent) {
      this.silenced += 1;
      return;
    }
    const { title, text, link } = alertmanagerNotification(service, firing, rate);
    const at = Date.now();
    const ts = (at / 1000).toFixed(6);
    const response = await sender.event({
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B0ALERTMGR',
      username: 'Alertmanager',
      channel,
      channel_type: 'channel',
      ts,
      event_ts: ts,
      text: '',
      attachments: [
        { title, title_link: link, text, fallback: `${title} | ${link}`, color: firing ? 'danger' : 'good' },
      ],
    });
    this.posts.push({ at, firing, rate, status: response.status });
    transcript.printMessage(
      this.channelLabel(),
      'Alertmanager',
      at,
      `${title}\n${pct(rate)} of requests answered 5xx over the last ` +
        `minute${response.status === 200 ? '' : ` (the bot answered HTTP ${response.status})`}`,
    );
  }
}
