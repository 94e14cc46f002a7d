/**
 * One truth for the kill switch's figures, through the running bot: flags
 * turned off, turned on, and switched with no incident open read the same in
 * `/rollback stats`, in the Prometheus gauges on /metrics and on App Home,
 * all from incident-actions' functions. Two switches outside any incident
 * (off, on) and one from an incident's hotfix question (off): 2 off, 1 on,
 * 2 outside incidents.
 */
import { readHome } from '../../src/post-rollback/app-home';
import { DISABLE_FLAG } from '../../src/slack/action-ids';
import { appHome } from '../../src/slack/blocks/app-home';
import { allTexts } from '../unit/blocks/fixtures';
import { alertNamingTheFeature, buttonAnswer, commandAnswer } from '../support/flags';
import { SERVICE, useWorld } from '../support/incident-world';
import { gauge } from '../support/surfaces';

interface FlagFigures {
  off: number;
  on: number;
  outside: number;
}

const LINE = /not rollbacks:\* (\d+) feature flags? turned off, (\d+) turned on(?: \((\d+) with no incident open\))?/;

/** The figures of "Incident actions that are not rollbacks: N feature flags turned off, M turned on (K ...)". */
function fromLine(text: string, where: string): FlagFigures {
  const found = LINE.exec(text);
  if (!found) throw new Error(`${where}: no incident-actions line in ${text.slice(0, 2000)}`);
  return { off: Number(found[1]), on: Number(found[2]), outside: Number(found[3] ?? 0) };
}

describe('the flag figures read the same on every surface', () => {
  const ctx = useWorld('e2e_flag_truth');

  it('/rollback stats, /metrics and App Home give equal flags off, on and outside incidents', async () => {
    const { world } = ctx;
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes off errors`, 'U0DEVOPS1')).toMatch(/reads false/);
    expect(await commandAnswer(world, `flag ${SERVICE} ai-notes on fixed`, 'U0DEVOPS1')).toMatch(/reads true/);
    const incidentId = await alertNamingTheFeature(world);
    await world.waitForPost('Disable ai-notes');
    const value = `${incidentId}|ai-notes`;
    expect(await buttonAnswer(world, { userId: 'U0DEVOPS1', actionId: DISABLE_FLAG, value })).toMatch(/reads false/);

    const stats = await commandAnswer(world, `stats ${SERVICE}`, 'U0DEVOPS1');
    const allStats = await commandAnswer(world, 'stats', 'U0DEVOPS1');
    const metrics = await (await fetch(`${world.bot.baseUrl}/metrics`)).text();
    const home = allTexts(appHome(await readHome(world.bot.bot.engine.deps)).blocks).join('\n');

    const expected: FlagFigures = { off: 2, on: 1, outside: 2 };
    expect({
      stats: fromLine(stats, '/rollback stats <service>'),
      allStats: fromLine(allStats, '/rollback stats'),
      metrics: {
        off: gauge(metrics, 'rollback_bot_flags_turned_off', { service: SERVICE }),
        on: gauge(metrics, 'rollback_bot_flags_turned_on', { service: SERVICE }),
        outside: gauge(metrics, 'rollback_bot_flag_switches_outside_incidents', { service: SERVICE }),
      },
      home: fromLine(home, 'App Home'),
    }).toEqual({ stats: expected, allStats: expected, metrics: expected, home: expected });
  });
});
