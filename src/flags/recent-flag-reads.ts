/**
 * Keeps each flag's latest reading at its provider for a read that says a
 * recent one will do (FlagReadOptions.maxAgeMs): the messages that offer
 * "Disable <flag>" are redrawn on every change to an incident, and each redraw
 * would otherwise be one Vercel API call per flag. Per process, keyed by
 * service and flag, aged on the bot's clock.
 *
 * What is kept is the read in flight, so redraws at the same moment share one
 * call, and a failure is kept too (the messages offer the button anyway; the
 * caller logs why each time). A read without maxAgeMs (the kill switch's own
 * "is it already off?") always asks the provider. A switch through this port
 * forgets the flag's reading before and after the write, so no reading taken
 * before it (or during it) is shown after it. A switch made on another replica
 * shows in the incident's timeline, which the messages read first.
 */
import type { FlagConfig, ServiceConfig } from '../config/service-schema';
import type { Clock } from '../rollback/clock';
import type { FlagChange, FlagOutcome, FlagPort, FlagReadOptions, FlagReading } from '../rollback/ports/flags';

interface Kept {
  readonly at: number;
  readonly reading: Promise<FlagReading>;
}

const keyOf = (service: ServiceConfig, flag: FlagConfig): string => JSON.stringify([service.name, flag.name]);

export class RecentFlagReads implements FlagPort {
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly provider: FlagPort,
    private readonly clock: Clock,
  ) {}

  read(service: ServiceConfig, flag: FlagConfig, options?: FlagReadOptions): Promise<FlagReading> {
    const key = keyOf(service, flag);
    const now = this.clock.now().getTime();
    const kept = this.kept.get(key);
    const maxAgeMs = options?.maxAgeMs ?? 0;
    // A clock set back (the drill, a test) makes a kept reading's age negative: read anew.
    if (kept && now >= kept.at && now - kept.at < maxAgeMs) return kept.reading;
    const reading = this.provider.read(service, flag);
    this.kept.set(key, { at: now, reading });
    // Kept as it is, rejected or not; nobody waiting on it here must not make an unhandled rejection.
    reading.catch(() => undefined);
    return reading;
  }

  async set(change: FlagChange): Promise<FlagOutcome> {
    const key = keyOf(change.service, change.flag);
    this.kept.delete(key);
    try {
      return await this.provider.set(change);
    } finally {
      this.kept.delete(key);
    }
  }
}
