/**
 * The drill checks the bot's figures against what it saw itself. The bad
 * deployment fails from its first request, so its impact began at go-live:
 * detection cannot be later than the bot's ROLLBACK IN PROGRESS nor earlier
 * than its first evidence could exist, downtime cannot be shorter than
 * detection nor outlast ROLLBACK COMPLETE, and execution fits between the two
 * posts. A figure the bot did not give is a failure too: the drill exists to
 * measure it.
 */
import type { IncidentFigures } from '../rollback/metrics/incident-times';
import type { Problems } from './context';
import { seconds } from './wait';

/** The bot's clock and the drill's are the same machine's; posts and writes are a few ms apart. */
const TOLERANCE_MS = 1500;
/** The bot posts ROLLBACK IN PROGRESS within this of detecting (outbox poll, Slack's 1 post per second per channel). */
const POSTED_WITHIN_MS = 5000;

export interface Observed {
  /** When the bad deployment started serving (Vercel's alias time), ms. */
  readonly liveAt: number;
  /** When ROLLBACK IN PROGRESS was posted, ms. */
  readonly inProgressAt: number;
  /** When ROLLBACK COMPLETE was posted, ms. */
  readonly completeAt: number;
  /**
   * The earliest the bot's evidence could exist, ms after go-live (the first alert posted, or the probe runs its rule
   * needs).
   */
  readonly earliestEvidenceMs: number;
  /** Where it must say it detected it from, e.g. /Alertmanager HighHttp5xxRate/. */
  readonly detectedFrom: RegExp;
}

/**
 * What the bot recorded beside its figures: when it dated the impact from, ms after go-live, and whether from go-live
 * itself.
 */
interface BotImpact {
  readonly startMs: number;
  readonly atGoLive: boolean;
}

export function checkFigures(
  incidentId: string,
  figures: IncidentFigures,
  observed: Observed,
  impact: BotImpact,
): Problems {
  const problems: Problems = [];
  const { detection, downtime, execution } = figures;
  const opened = observed.inProgressAt - observed.liveAt;
  const completed = observed.completeAt - observed.liveAt;
  const ms = (value: number): number => value * 1000;
  if (!detection)
    problems.push(`${incidentId}: the bot gives no detection time (is the bad deployment's go-live recorded?)`);
  else {
    if (!observed.detectedFrom.test(detection.from))
      problems.push(
        `${incidentId}: detection is measured "${detection.from}", not from ${observed.detectedFrom.source}`,
      );
    if (ms(detection.value) > opened + TOLERANCE_MS)
      problems.push(
        `${incidentId}: detection ${seconds(ms(detection.value))} is later than ROLLBACK ` +
          `IN PROGRESS, which the drill saw ${seconds(opened)} after go-live`,
      );
    if (ms(detection.value) < opened - POSTED_WITHIN_MS) {
      problems.push(
        `${incidentId}: detection ${seconds(ms(detection.value))} is shorter than the ` +
          `${seconds(opened)} the drill saw before ROLLBACK IN PROGRESS (the bot posts ` +
          `within ${seconds(POSTED_WITHIN_MS)} of detecting)`,
      );
    }
    if (ms(detection.value) < observed.earliestEvidenceMs - TOLERANCE_MS) {
      problems.push(
        `${incidentId}: detection ${seconds(ms(detection.value))} is shorter than the ` +
          `${seconds(observed.earliestEvidenceMs)} before its first evidence could exist`,
      );
    }
  }
  if (!downtime) problems.push(`${incidentId}: the bot gives no downtime`);
  else {
    if (impact.atGoLive && detection && downtime.value < detection.value)
      problems.push(
        `${incidentId}: downtime ${seconds(ms(downtime.value))} is shorter than detection ` +
          `${seconds(ms(detection.value))}, though the bot says the impact began at go-live`,
      );
    // The bad deployment was broken from go-live: the bot may date the impact later only from its evidence (a probe
    // that still passed), never before go-live nor after detection.
    if (impact.startMs < -TOLERANCE_MS)
      problems.push(
        `${incidentId}: the bot dates the impact ${seconds(-impact.startMs)} before the bad deployment went live`,
      );
    if (detection && impact.startMs > ms(detection.value) + TOLERANCE_MS)
      problems.push(`${incidentId}: the bot dates the impact after it detected it`);
    if (ms(downtime.value) < opened - impact.startMs - TOLERANCE_MS) {
      problems.push(
        `${incidentId}: downtime ${seconds(ms(downtime.value))} is shorter than the ` +
          `${seconds(opened - impact.startMs)} the drill saw production broken between the ` +
          `bot's start of impact and ROLLBACK IN PROGRESS`,
      );
    }
    if (ms(downtime.value) > completed + TOLERANCE_MS)
      problems.push(
        `${incidentId}: downtime ${seconds(ms(downtime.value))} outlasts ROLLBACK ` +
          `COMPLETE (${seconds(completed)} after go-live)`,
      );
  }
  if (!execution) problems.push(`${incidentId}: the bot gives no execution time`);
  else if (ms(execution.value) > observed.completeAt - observed.inProgressAt + TOLERANCE_MS) {
    problems.push(
      `${incidentId}: execution ${seconds(ms(execution.value))} is longer than the ` +
        `${seconds(observed.completeAt - observed.inProgressAt)} between ROLLBACK IN ` +
        `PROGRESS and COMPLETE`,
    );
  }
  return problems;
}
