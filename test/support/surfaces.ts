/** Reading the figures people see, for the one-truth tests: App Home as views.publish sent it, and /metrics gauges. */
import type { World } from './incident-world';

/** Opens the user's App Home (app_home_opened) and returns the view the bot published for them. */
export async function homeOf(world: World, user: string): Promise<unknown> {
  const before = world.slack.callsOf('views.publish').length;
  await world.bot.sender.event({
    type: 'app_home_opened',
    user,
    channel: 'D0HOMETAB',
    tab: 'home',
    event_ts: `${Date.now() / 1000}`,
  });
  const call = await world.slack.waitForCall(
    (c) =>
      c.method === 'views.publish' &&
      c.params.user_id === user &&
      c.answer.ok &&
      world.slack.callsOf('views.publish').indexOf(c) >= before,
    10_000,
  );
  // The Web API client sends objects as JSON strings in a form body.
  const view = call.params.view;
  return typeof view === 'string' ? (JSON.parse(view) as unknown) : view;
}

/** A gauge's value in /metrics' text for these labels (in the order Prometheus writes them). */
export function gauge(metrics: string, name: string, labels: Record<string, string>): number {
  const set = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const found = new RegExp(`^${name}\\{${set}\\} (\\S+)$`, 'm').exec(metrics);
  if (!found) throw new Error(`/metrics: no ${name}{${set}} in ${metrics.slice(0, 3000)}`);
  return Number(found[1]);
}
