import { parseAlertMessage, SignalWindow } from '../../../src/rollback/signals';
import type { WindowDecision } from '../../../src/rollback/signals';
import { at, CLINICAL, SERVICES, signal, SITE } from './builders';
import { alertmanagerSlack } from './slack-builders';

const MINUTE = 60;

describe('SignalWindow', () => {
  it('opens on the first firing signal and joins repeats for the same service', () => {
    const window = new SignalWindow();
    expect(window.observe(signal({ at: at(0) }))).toMatchObject({ action: 'open', post: true, count: 1, firing: 1 });
    const repeat = window.observe(signal({ at: at(30) }));
    expect(repeat).toMatchObject({ action: 'join', post: false, count: 2, note: 'repeat' });
  });

  it('gives another service its own group', () => {
    const window = new SignalWindow();
    const first = window.observe(signal({ at: at(0) }));
    const other = window.observe(signal({ service: SITE, at: at(1) }));
    expect(other.action).toBe('open');
    expect(other.groupId).not.toBe(first.groupId);
  });

  it('joins while signals keep coming within 10 minutes, and opens afresh after a quiet 10 minutes', () => {
    const window = new SignalWindow();
    const opened = window.observe(signal({ at: at(0) }));
    expect(window.observe(signal({ at: at(9 * MINUTE) })).action).toBe('join');
    expect(window.observe(signal({ at: at(19 * MINUTE) })).action).toBe('join');
    const later = window.observe(signal({ at: at(29 * MINUTE + 1) }));
    expect(later.action).toBe('open');
    expect(later.groupId).not.toBe(opened.groupId);
  });

  it('honours a custom window', () => {
    const window = new SignalWindow(60_000);
    window.observe(signal({ at: at(0) }));
    expect(window.observe(signal({ at: at(61) })).action).toBe('open');
  });

  it('resolves only when every alert in the group has resolved', () => {
    const window = new SignalWindow();
    window.observe(signal({ fingerprint: 'a', at: at(0) }));
    expect(window.observe(signal({ fingerprint: 'b', kind: 'auth_broken', at: at(5) }))).toMatchObject({
      action: 'join',
      post: true,
      firing: 2,
    });
    expect(window.observe(signal({ fingerprint: 'a', firing: false, at: at(60) }))).toMatchObject({
      action: 'join',
      post: false,
      firing: 1,
    });
    expect(window.observe(signal({ fingerprint: 'b', firing: false, at: at(90) }))).toMatchObject({
      action: 'resolve',
      post: true,
      firing: 0,
    });
  });

  it('ignores a resolve for an alert it never saw firing', () => {
    const window = new SignalWindow();
    expect(window.observe(signal({ firing: false, at: at(0) }))).toMatchObject({ action: 'ignore', post: false });
    window.observe(signal({ fingerprint: 'a', at: at(1) }));
    expect(window.observe(signal({ fingerprint: 'zzz', firing: false, at: at(2) })).action).toBe('ignore');
  });

  it('keeps a flapping alert in one group: a refire soon after the resolve joins and says so', () => {
    const window = new SignalWindow();
    const opened = window.observe(signal({ at: at(0) }));
    window.observe(signal({ firing: false, at: at(60) }));
    const refire = window.observe(signal({ at: at(120) }));
    expect(refire).toMatchObject({
      action: 'join',
      post: true,
      groupId: opened.groupId,
      note: 'fired again after resolving',
    });
  });

  it('does not let a clock stepping back reopen or expire a group', () => {
    const window = new SignalWindow();
    window.observe(signal({ at: at(20 * MINUTE) }));
    expect(window.observe(signal({ at: at(0) })).action).toBe('join');
  });

  it('opens afresh after close() for a closed incident', () => {
    const window = new SignalWindow();
    window.observe(signal({ at: at(0) }));
    window.close(CLINICAL);
    expect(window.observe(signal({ at: at(1) })).action).toBe('open');
    expect(window.openGroups(at(2))).toEqual([expect.objectContaining({ service: CLINICAL, count: 1, firing: 1 })]);
  });

  it('turns a storm of 10,000 alert messages about one failure into exactly one open and at most 10 posts', () => {
    const window = new SignalWindow();
    const decisions: WindowDecision[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      // Several replicas' alerts for the same failure, repeated every 100 ms for about 17 minutes.
      const message = alertmanagerSlack(
        [{ labels: { alertname: 'High5xxRate', service: 'dr-amal-clinical-os', instance: `web-${i % 4}` } }],
        at(i / 10),
      );
      for (const s of parseAlertMessage(message, SERVICES, at(i / 10))?.signals ?? [])
        decisions.push(window.observe(s));
    }
    expect(decisions).toHaveLength(10_000);
    expect(decisions.filter((d) => d.action === 'open')).toHaveLength(1);
    expect(new Set(decisions.map((d) => d.groupId)).size).toBe(1);
    const posts = decisions.filter((d) => d.post).length;
    expect(posts).toBeGreaterThanOrEqual(4);
    expect(posts).toBeLessThanOrEqual(10);
    expect(decisions.at(-1)).toMatchObject({ count: 10_000, firing: 4 });
  });
});
