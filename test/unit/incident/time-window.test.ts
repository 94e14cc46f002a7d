import { RollbackError } from '../../../src/rollback/errors';
import { describeWindow, isWithinWindow, localTime, parseTimeOfDay } from '../../../src/rollback/incident/time-window';
import type { TimeWindow } from '../../../src/rollback/incident/time-window';

const NY = 'America/New_York';
const WORK: TimeWindow = { timeZone: NY, days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' };
const DEPLOY: TimeWindow = { timeZone: NY, start: '23:00', end: '05:00' };

describe('localTime', () => {
  it.each([
    // Spring forward, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00Z.
    ['2026-03-08T06:59:00Z', 'sun', '01:59'],
    ['2026-03-08T07:00:00Z', 'sun', '03:00'],
    ['2026-03-09T13:00:00Z', 'mon', '09:00'],
    // Fall back, Sunday 2026-11-01: 01:00-02:00 happens twice (05:00Z EDT, 06:00Z EST).
    ['2026-11-01T05:30:00Z', 'sun', '01:30'],
    ['2026-11-01T06:30:00Z', 'sun', '01:30'],
    ['2026-11-02T14:00:00Z', 'mon', '09:00'],
    ['2026-01-17T04:59:00Z', 'fri', '23:59'],
    ['2026-01-17T05:00:00Z', 'sat', '00:00'],
  ])('%s is %s %s in New York', (iso, weekday, hhmm) => {
    expect(localTime(new Date(iso), NY)).toEqual({ weekday, minutes: parseTimeOfDay(hhmm) });
  });
});

describe('isWithinWindow: working hours', () => {
  it.each([
    ['Friday 09:00 EST, start inclusive', '2026-01-16T14:00:00Z', true],
    ['Friday 08:59 EST', '2026-01-16T13:59:00Z', false],
    ['Friday 17:59 EST', '2026-01-16T22:59:00Z', true],
    ['Friday 18:00 EST, end exclusive', '2026-01-16T23:00:00Z', false],
    ['Saturday noon', '2026-01-17T17:00:00Z', false],
    // The day after spring forward, 09:00 local is 13:00Z, no longer 14:00Z.
    ['Mon 2026-03-09 13:00Z = 09:00 EDT', '2026-03-09T13:00:00Z', true],
    ['Mon 2026-03-09 12:59Z = 08:59 EDT', '2026-03-09T12:59:00Z', false],
    ['Mon 2026-03-09 22:00Z = 18:00 EDT', '2026-03-09T22:00:00Z', false],
    ['Fri 2026-03-06 22:00Z = 17:00 EST', '2026-03-06T22:00:00Z', true],
    // The day after fall back, 09:00 local is 14:00Z again.
    ['Mon 2026-11-02 13:30Z = 08:30 EST', '2026-11-02T13:30:00Z', false],
    ['Mon 2026-11-02 14:00Z = 09:00 EST', '2026-11-02T14:00:00Z', true],
    ['Fri 2026-10-30 13:30Z = 09:30 EDT', '2026-10-30T13:30:00Z', true],
    // Friday 2026-01-16 20:00 EST is Saturday in UTC: the local day counts.
    ['Fri 20:00 EST is Sat 01:00Z', '2026-01-17T01:00:00Z', false],
    ['Fri 17:30 EST is Fri 22:30Z', '2026-01-16T22:30:00Z', true],
  ])('%s -> %s', (_name, iso, expected) => {
    expect(isWithinWindow(WORK, new Date(iso))).toBe(expected);
  });

  it('uses the local weekday in a zone east of UTC', () => {
    const tokyo: TimeWindow = { timeZone: 'Asia/Tokyo', days: ['mon'], start: '08:00', end: '10:00' };
    // Sunday 23:30Z is Monday 08:30 in Tokyo.
    expect(isWithinWindow(tokyo, new Date('2026-01-18T23:30:00Z'))).toBe(true);
    expect(isWithinWindow(tokyo, new Date('2026-01-19T23:30:00Z'))).toBe(false);
  });
});

describe('isWithinWindow: windows across midnight', () => {
  it.each([
    ['22:59 EST', '2026-01-17T03:59:00Z', false],
    ['23:00 EST', '2026-01-17T04:00:00Z', true],
    ['00:00 EST', '2026-01-17T05:00:00Z', true],
    ['04:59 EST', '2026-01-17T09:59:00Z', true],
    ['05:00 EST', '2026-01-17T10:00:00Z', false],
    // Spring-forward night: 23:00 EST Sat is 04:00Z; 05:00 EDT Sun is 09:00Z (one hour shorter).
    ['spring: 23:00 EST Sat', '2026-03-08T04:00:00Z', true],
    ['spring: 03:30 EDT Sun', '2026-03-08T07:30:00Z', true],
    ['spring: 04:59 EDT Sun', '2026-03-08T08:59:00Z', true],
    ['spring: 05:00 EDT Sun', '2026-03-08T09:00:00Z', false],
    // Fall-back night: 23:00 EDT Sat is 03:00Z; 05:00 EST Sun is 10:00Z (one hour longer).
    ['fall: 22:59 EDT Sat', '2026-11-01T02:59:00Z', false],
    ['fall: 23:00 EDT Sat', '2026-11-01T03:00:00Z', true],
    ['fall: second 01:30 (EST)', '2026-11-01T06:30:00Z', true],
    ['fall: 04:59 EST Sun', '2026-11-01T09:59:00Z', true],
    ['fall: 05:00 EST Sun', '2026-11-01T10:00:00Z', false],
  ])('deploy window 23:00-05:00 at %s -> %s', (_name, iso, expected) => {
    expect(isWithinWindow(DEPLOY, new Date(iso))).toBe(expected);
  });

  it('gives the part after midnight to the day the window opened', () => {
    const fridayNight: TimeWindow = { timeZone: NY, days: ['fri'], start: '22:00', end: '02:00' };
    expect(isWithinWindow(fridayNight, new Date('2026-01-17T03:30:00Z'))).toBe(true); // Fri 22:30
    expect(isWithinWindow(fridayNight, new Date('2026-01-17T06:30:00Z'))).toBe(true); // Sat 01:30
    expect(isWithinWindow(fridayNight, new Date('2026-01-18T03:30:00Z'))).toBe(false); // Sat 22:30
    expect(isWithinWindow(fridayNight, new Date('2026-01-16T06:30:00Z'))).toBe(false); // Fri 01:30
    const sundayNight: TimeWindow = { ...fridayNight, days: ['sun'] };
    expect(isWithinWindow(sundayNight, new Date('2026-01-19T06:30:00Z'))).toBe(true); // Mon 01:30 wraps to Sun
  });

  it('treats equal start and end as the whole day', () => {
    const allDay: TimeWindow = { timeZone: NY, days: ['sat'], start: '00:00', end: '00:00' };
    expect(isWithinWindow(allDay, new Date('2026-01-17T05:00:00Z'))).toBe(true);
    expect(isWithinWindow(allDay, new Date('2026-01-18T04:59:00Z'))).toBe(true);
    expect(isWithinWindow(allDay, new Date('2026-01-18T05:00:00Z'))).toBe(false);
  });
});

describe('window text and parsing', () => {
  it('describes windows for refusals', () => {
    expect(describeWindow(WORK)).toBe('mon–fri 09:00–18:00 America/New_York');
    expect(describeWindow(DEPLOY)).toBe('every day 23:00–05:00 America/New_York');
    expect(describeWindow({ ...WORK, days: ['sat', 'mon'] })).toBe('mon, sat 09:00–18:00 America/New_York');
  });

  it('refuses a malformed time with a config error', () => {
    expect(() => parseTimeOfDay('9:00')).toThrow(RollbackError);
    expect(() => isWithinWindow({ ...WORK, start: 'nine' }, new Date())).toThrow(/"nine" is not a time of day/);
  });
});
