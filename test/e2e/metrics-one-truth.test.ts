/**
 * One truth for the runbook's metrics, end to end through the real bot: an
 * autopilot incident detected from Alertmanager's AuthDown (while an
 * unrelated alert with an older startsAt fires too), on a deployment that
 * went live 40 s before and failed from the first probe run after it. The
 * same incident's figures are read from the ROLLBACK COMPLETE footer, the
 * post-mortem draft, `/rollback stats` and the Prometheus gauges on /metrics,
 * and must be equal; the impact is dated from go-live, so downtime is at
 * least the detection delay; the record, thread and timeline name only the
 * firing rule's own evidence.
 */
import { durationWords } from '../../src/rollback/metrics/incident-times';
import { insertProbeResults } from '../../src/store/queries/probes';
import { alertmanagerWebhook } from '../unit/signals/builders';
import { incidentsOf, useDetectionWorld } from '../support/detection-world';

const SERVICE = 'dr-amal-clinical-os';
const GO_LIVE_AGO_MS = 40_000;

/** The first capture of `pattern` in `text`, or a failure naming what was looked for. */
function read(text: string, pattern: RegExp, where: string): string {
  const found = pattern.exec(text)?.[1];
  if (found === undefined) throw new Error(`${where}: no match for ${pattern} in ${text.slice(0, 2000)}`);
  return found.trim();
}

describe('the same incident reads the same on every surface', () => {
  const ctx = useDetectionWorld('e2e_metrics_truth', { main: { autopilot: true } });
  const w = () => ctx.world;

  it(
    'COMPLETE footer, post-mortem, /rollback stats and /metrics give equal figures, ' + 'measured from the evidence',
    async () => {
      const store = w().bot.bot.engine.deps.store;
      const goLive = new Date(w().clock.now().getTime() - GO_LIVE_AGO_MS);
      // Vercel assigned the bad deployment's production domains at go-live; the bot's probes saw it serve and fail from
      // their first run.
      w().history.bad.aliasAssigned = goLive.getTime();
      await store.recordDeployment({
        service: SERVICE,
        deploymentId: w().history.bad.id,
        version: '2.0.0-beta',
        servedFrom: goLive,
        firstSeenAt: goLive,
      });
      const run = (at: Date, ok: boolean) =>
        (['health', 'smoke:sign-in'] as const).map((check) => ({
          service: SERVICE,
          at,
          check,
          ran: true,
          ok,
          signIn: check === 'smoke:sign-in',
          statusCode: ok ? 200 : 500,
          latencyMs: 20,
          deploymentId: w().history.bad.id,
        }));
      const probes = insertProbeResults([
        ...run(new Date(goLive.getTime() - 5_000), true),
        ...run(new Date(goLive.getTime() + 5_000), false),
      ]);
      await w().db.query(probes.text, probes.values as unknown[]);

      const older = new Date(goLive.getTime() - 600_000).toISOString();
      w().bot.bot.detection.intake.fromWebhook(
        'alertmanager',
        alertmanagerWebhook([
          {
            labels: { alertname: 'AuthDown', service: SERVICE, severity: 'critical' },
            annotations: { summary: 'Users cannot sign in' },
            startsAt: new Date(goLive.getTime() + 30_000).toISOString(),
            fingerprint: 'auth-1',
          },
          {
            labels: { alertname: 'DiskAlmostFull', service: SERVICE, severity: 'warning' },
            annotations: { summary: 'Disk 91% full' },
            startsAt: older,
            fingerprint: 'disk-1',
          },
        ]),
      );
      const firstSeen = w().clock.now();
      await w().tick(SERVICE);
      const [incident] = await incidentsOf(w().db, SERVICE);
      const id = incident?.id ?? '';

      await w().waitForPost('ROLLBACK COMPLETE', 30_000);
      const postMortem = await w().waitForPost('Post-mortem draft', 30_000);
      await w().bot.bot.engine.outbox.drain(15_000);

      // The record, the thread and the timeline name the rule's own alert, never the unrelated one.
      const record = await store.getIncident(id);
      expect(record?.data.evidence).toEqual({ impact: 'go_live', detectedFrom: 'Alertmanager AuthDown' });
      expect(record?.trigger).toBe('MUST roll back: auth completely broken (detected from Alertmanager AuthDown)');
      expect(String(w().posts('ROLLBACK IN PROGRESS')[0]?.params.blocks)).toContain(
        'detected from Alertmanager AuthDown',
      );
      const timeline = await store.timeline(id);
      expect(timeline.find((t) => t.kind === 'detected_from')?.message).toMatch(
        /^Detected from Alertmanager AuthDown at .*; impact started .* \(from the deployment going live/,
      );
      expect(JSON.stringify([record, timeline])).not.toContain('DiskAlmostFull');

      // The figures of each surface.
      const footerCall = w()
        .slack.calls.filter(
          (c) =>
            (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
            c.answer.ok &&
            String(c.params.blocks).includes('ROLLBACK COMPLETE'),
        )
        .at(-1);
      const footer = String(footerCall?.params.blocks);
      const pm = String(postMortem.params.blocks);
      const stats = JSON.stringify(
        (await w().bot.sender.slashCommand({ text: `stats ${SERVICE}`, userId: 'U0DEVOPS1' })).json(),
      );
      const metrics = await (await fetch(`${w().bot.baseUrl}/metrics`)).text();
      const gauge = (name: string): string =>
        read(
          metrics,
          new RegExp(`^${name}\\{service="${SERVICE}",aggregate="worst"\\} (\\S+)$`, 'm'),
          `/metrics ${name}`,
        );

      const surfaces = {
        detection: {
          footer: read(footer, /"Detection ([^"]+)"/, 'footer'),
          postMortem: read(pm, /\| Detection time \| ([^|]+) \|/, 'post-mortem'),
          stats: read(stats, /\*Detection time[^*]*\*: worst (.+?) \(target/, 'stats'),
          metrics: durationWords(Number(gauge('rollback_bot_detection_time_seconds')) * 1000),
        },
        execution: {
          footer: read(footer, /"Execution ([^"]+)"/, 'footer'),
          postMortem: read(pm, /\| Execution time \| ([^|]+) \|/, 'post-mortem'),
          stats: read(stats, /\*Execution time[^*]*\*: worst (.+?) \(target/, 'stats'),
          metrics: durationWords(Number(gauge('rollback_bot_execution_time_seconds')) * 1000),
        },
        downtime: {
          footer: read(footer, /"Downtime ([^"]+)"/, 'footer'),
          postMortem: read(pm, /\| Downtime \| ([^|]+) \|/, 'post-mortem'),
          stats: read(stats, /\*Downtime[^*]*\*: worst (.+?) \(target/, 'stats'),
          metrics: durationWords(Number(gauge('rollback_bot_downtime_seconds')) * 1000),
        },
        dataLoss: {
          footer: read(footer, /"Data loss (\d+) rows"/, 'footer'),
          postMortem: read(pm, /\| Data loss \| (\d+) rows \|/, 'post-mortem'),
          stats: read(stats, /\*Data loss[^*]*\*: worst (\d+) rows? \(target/, 'stats'),
          metrics: gauge('rollback_bot_data_loss_rows'),
        },
      };
      for (const [metric, seen] of Object.entries(surfaces)) {
        expect({ metric, ...seen }).toEqual({
          metric,
          footer: seen.footer,
          postMortem: seen.footer,
          stats: seen.footer,
          metrics: seen.footer,
        });
      }

      // Measured from the evidence: detection from go-live to the evaluation that fired the rule (30 s after the first
      // notice), downtime from go-live (impact began there).
      const detection = Number(gauge('rollback_bot_detection_time_seconds'));
      const downtime = Number(gauge('rollback_bot_downtime_seconds'));
      expect(Math.abs(detection * 1000 - (firstSeen.getTime() + 30_000 - goLive.getTime()))).toBeLessThan(1000);
      expect(downtime).toBeGreaterThanOrEqual(detection);
      expect(downtime * 1000).toBeGreaterThanOrEqual((record?.restoredAt?.getTime() ?? 0) - goLive.getTime() - 1);
      expect(surfaces.dataLoss.footer).toBe('0');
      expect(pm).toContain('deployment went live → detected from Alertmanager AuthDown');
    },
  );
});
