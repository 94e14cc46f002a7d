import { type ReleaseAbortNoticeView, releaseAbortNotice } from '../../../src/slack/blocks/release-abort-notice';
import { HOSTILE, TZ, allTexts, expectSendable, huge, incident, service } from './fixtures';

/** The mrkdwn as Slack receives it. */
const mrkdwn = (blocks: unknown): string => allTexts(blocks).join('\n');

const view: ReleaseAbortNoticeView = {
  timeZone: TZ,
  service,
  release: {
    id: 'REL-20260117-4F2A9C',
    canary: { id: 'dpl_canary21', url: 'dr-amal-canary.vercel.app', version: '2.1.0', commitSha: 'c0ffee1234567' },
    base: { id: 'dpl_base20', url: 'dr-amal-base.vercel.app', version: '2.0.3', commitSha: 'b7920c6aaaaaa' },
  },
  percent: 10,
  trigger: 'MUST trigger on the canary: auth completely broken: users cannot sign in',
  at: new Date('2026-01-17T14:12:00-05:00'),
  traffic: 'rolling_back',
  incident,
  channelId: 'C0ALERTS',
};

describe('releaseAbortNotice', () => {
  it('says the bot aborted the release by itself: release, share, trigger, traffic, incident, no approval', () => {
    const message = releaseAbortNotice(view);
    expectSendable(message);
    const text = mrkdwn(message.blocks);
    expect(message.text).toBe(
      '🛑 Release aborted on a MUST trigger: rollback-bot aborted release REL-20260117-4F2A9C of Dr Amal Clinical OS ' +
        '(dr-amal) (canary dpl_canary21) at 10% of traffic (INC-2026-0117-1).',
    );
    expect(text).toContain('rollback-bot aborted release REL-20260117-4F2A9C of *Dr Amal Clinical OS (dr-amal)* by');
    expect(text).toContain('at Jan 17, 2026, 2:12 PM ET, on a MUST trigger on the canary');
    expect(text).toContain('*Canary:* 2.1.0, commit c0ffee1, dpl_canary21, aborted at *10%* of production traffic');
    expect(text).toContain('*Base:* 2.0.3, commit b7920c6, dpl_base20');
    expect(text).toContain('*Trigger:* MUST trigger on the canary: auth completely broken');
    expect(text).toContain('*Traffic:* going back to the base deployment by an instant rollback');
    expect(text).toContain(`*Incident:* <${incident.url}|INC-2026-0117-1>, thread in <#C0ALERTS>`);
    expect(text).toContain('Nobody needs to approve anything');
    expect(text).not.toMatch(/on-call|outside working hours|executed/);
    expect(message).toMatchSnapshot();
  });

  it('without an incident: traffic aborted on Vercel directly, the release thread referenced', () => {
    const { incident: _none, ...rest } = view;
    const text = mrkdwn(releaseAbortNotice({ ...rest, traffic: 'aborted_on_vercel' }).blocks);
    expect(text).toContain('*Traffic:* back on the base deployment: the bot aborted the rolling release on Vercel');
    expect(text).toContain("*Release:* no incident carries this abort; the release's thread in <#C0ALERTS>");
    expect(text).not.toContain('*Incident:*');
  });

  it('says when traffic left the canary for another target, and when the abort is not confirmed', () => {
    const words = (traffic: ReleaseAbortNoticeView['traffic']) =>
      mrkdwn(releaseAbortNotice({ ...view, traffic }).blocks);
    expect(words('rolling_back_elsewhere')).toContain(
      "*Traffic:* leaving the canary with the open incident's own rollback, already under way to another target",
    );
    expect(words('abort_failed')).toContain(
      "*Traffic:* *not confirmed off the canary*: the bot's abort on Vercel did not go through",
    );
  });

  it('stays sendable with a huge hostile trigger and ids, which are escaped', () => {
    const hostile = releaseAbortNotice({
      ...view,
      trigger: huge(),
      release: { ...view.release, id: HOSTILE, canary: { ...view.release.canary, version: HOSTILE } },
    });
    expectSendable(hostile);
    expect(mrkdwn(hostile.blocks)).not.toMatch(/<!channel>|<@U0EVIL>/);
    expect(mrkdwn(hostile.blocks)).toContain('&lt;!channel&gt;');
  });
});
