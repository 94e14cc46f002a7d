/** The interval → cron rule the probe and evaluation schedules are written with. */
import { intervalCron } from '../../src/schedule/interval-cron';
import { validate } from 'node-cron';

describe('intervalCron', () => {
  it('writes evenly spaced slots for intervals that divide a minute, an hour or a day', () => {
    expect(intervalCron(30)).toBe('*/30 * * * * *');
    expect(intervalCron(5)).toBe('*/5 * * * * *');
    expect(intervalCron(60)).toBe('* * * * *');
    expect(intervalCron(300)).toBe('*/5 * * * *');
    expect(intervalCron(7200)).toBe('0 */2 * * *');
    expect(intervalCron(86400)).toBe('0 0 * * *');
    for (const s of [5, 10, 15, 20, 30, 60, 120, 900, 1800, 3600, 21600]) expect(validate(intervalCron(s))).toBe(true);
  });

  it('refuses the rest with a config error naming the field', () => {
    expect(() => intervalCron(45)).toThrow(/triggers\.evaluationIntervalSeconds is 45/);
    expect(() => intervalCron(90, 'services.api.triggers.evaluationIntervalSeconds')).toThrow(
      /services\.api\.triggers\.evaluationIntervalSeconds is 90/,
    );
    expect(() => intervalCron(0)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => intervalCron(2.5)).toThrow(/cannot repeat evenly/);
  });
});
