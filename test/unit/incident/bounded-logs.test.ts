/**
 * Issue 16 item 9: an evaluation over thousands of firing alerts logged its
 * whole reason, a 200 KB line. The log gets a bounded summary instead.
 */
import { boundedForLog } from '../../../src/watch/jobs';

describe('boundedForLog', () => {
  it('keeps a short reason as it is', () => {
    expect(boundedForLog('5xx above 25% for 2 minutes')).toBe('5xx above 25% for 2 minutes');
  });

  it('cuts a reason naming thousands of alerts to a bounded line that says how much was left out', () => {
    const reason = Array.from({ length: 5000 }, (_, i) => `alert-${i} HighErrorRate firing`).join('; ');
    expect(reason.length).toBeGreaterThan(100_000);
    const logged = boundedForLog(reason);
    expect(logged.length).toBeLessThan(700);
    expect(logged).toMatch(new RegExp(`${reason.length - 500} more characters`));
  });
});
