/**
 * RecentFlagReads over a provider that counts its reads: what a read that
 * allows a recent reading gets, what a plain read and a switch do.
 */
import type { FlagConfig } from '../../src/config/service-schema';
import { RecentFlagReads } from '../../src/flags/recent-flag-reads';
import { ManualClock } from '../../src/rollback/clock';
import { RollbackError } from '../../src/rollback/errors';
import type { FlagChange, FlagOutcome, FlagPort, FlagReading, FlagState } from '../../src/rollback/ports/flags';
import { exampleService } from '../support/services';

const service = exampleService();
const flag = service.flags[0] as FlagConfig;
const RECENT = { maxAgeMs: 10_000 };

/** A provider whose reads are counted and answered by `answer` (settled by the test when it holds them). */
class CountingProvider implements FlagPort {
  reads = 0;
  state: FlagState = 'on';
  failing = false;
  held: (() => void)[] = [];
  hold = false;

  read(): Promise<FlagReading> {
    this.reads += 1;
    const answer = (): FlagReading => {
      if (this.failing) throw new RollbackError('external', 'Vercel answered 503');
      return { state: this.state, value: this.state === 'on' };
    };
    if (!this.hold) return Promise.resolve().then(answer);
    return new Promise((resolve, reject) =>
      this.held.push(() => {
        try {
          resolve(answer());
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
  }

  set(change: FlagChange): Promise<FlagOutcome> {
    this.state = change.state;
    return Promise.resolve({ value: change.state === 'on', readBackFrom: 'api', reads: 1, shownAfterMs: 0 });
  }
}

function setUp(): { provider: CountingProvider; clock: ManualClock; reads: RecentFlagReads } {
  const provider = new CountingProvider();
  const clock = new ManualClock('2026-01-20T15:00:00Z');
  return { provider, clock, reads: new RecentFlagReads(provider, clock) };
}

describe('RecentFlagReads', () => {
  it('answers reads within maxAgeMs from one provider read, and reads again once it has passed', async () => {
    const { provider, clock, reads } = setUp();
    for (let i = 0; i < 5; i += 1) expect((await reads.read(service, flag, RECENT)).state).toBe('on');
    clock.advance(9_999);
    await reads.read(service, flag, RECENT);
    expect(provider.reads).toBe(1);
    clock.advance(1);
    provider.state = 'off';
    expect((await reads.read(service, flag, RECENT)).state).toBe('off');
    expect(provider.reads).toBe(2);
  });

  it('shares one provider read among reads made at the same moment', async () => {
    const { provider, reads } = setUp();
    const states = await Promise.all([1, 2, 3].map(() => reads.read(service, flag, RECENT)));
    expect(states.map((s) => s.state)).toEqual(['on', 'on', 'on']);
    expect(provider.reads).toBe(1);
  });

  it('always asks the provider for a read without maxAgeMs, and keeps that newer reading', async () => {
    const { provider, reads } = setUp();
    await reads.read(service, flag, RECENT);
    provider.state = 'off';
    expect((await reads.read(service, flag)).state).toBe('off');
    expect((await reads.read(service, flag, RECENT)).state).toBe('off');
    expect(provider.reads).toBe(2);
  });

  it('keeps a failed read for the same time: every caller gets the failure, the provider is asked once', async () => {
    const { provider, clock, reads } = setUp();
    provider.failing = true;
    await expect(reads.read(service, flag, RECENT)).rejects.toThrow('Vercel answered 503');
    await expect(reads.read(service, flag, RECENT)).rejects.toThrow('Vercel answered 503');
    expect(provider.reads).toBe(1);
    provider.failing = false;
    clock.advance(10_000);
    expect((await reads.read(service, flag, RECENT)).state).toBe('on');
  });

  it('reads anew after a switch through it, even a reading that was in flight during the switch', async () => {
    const { provider, reads } = setUp();
    provider.hold = true;
    const before = reads.read(service, flag, RECENT);
    await reads.set({ service, flag, state: 'off' });
    provider.held.shift()?.();
    await before;
    provider.hold = false;
    expect((await reads.read(service, flag, RECENT)).state).toBe('off');
    expect(provider.reads).toBe(2);
  });

  it('reads anew when the clock was set back before the reading', async () => {
    const { provider, clock, reads } = setUp();
    await reads.read(service, flag, RECENT);
    clock.set('2026-01-20T14:00:00Z');
    await reads.read(service, flag, RECENT);
    expect(provider.reads).toBe(2);
  });

  it('keeps readings per service and flag', async () => {
    const { provider, reads } = setUp();
    const other = exampleService({ name: 'another-service' });
    await reads.read(service, flag, RECENT);
    await reads.read(other, flag, RECENT);
    await reads.read(service, { ...flag, name: 'another-flag' }, RECENT);
    expect(provider.reads).toBe(3);
  });
});
