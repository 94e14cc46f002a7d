/**
 * Where a rate alert's figure comes from, in each form the alert tools carry
 * it: a `value` annotation or label, a "Value:" line in the Slack
 * notification, or the summary/description the rule renders `{{ $value }}`
 * into. An alert without a figure is still parsed, value undefined, and stays
 * "alerts for judgement" as before.
 */
import { alertmanagerNotification, FIVE_XX_THRESHOLD } from '../../../src/drill/alerting';
import { asRate, rateInText } from '../../../src/rollback/signals/alert-value';
import {
  evaluate,
  INITIAL_TRIGGER_STATE,
  parseAlertMessage,
  parseAlertmanagerWebhook,
  parseGrafanaWebhook,
  sampleFromSignals,
} from '../../../src/rollback/signals';
import type { Signal, SlackMessageLike } from '../../../src/rollback/signals';
import { alertmanagerWebhook, at, CLINICAL, grafanaWebhook, RUNBOOK_TRIGGERS, SERVICES, T0 } from './builders';
import { alertmanagerSlack, alertmanagerSlackWithText } from './slack-builders';

const labels = { alertname: 'HighHttp5xxRate', service: 'dr-amal-clinical-os', severity: 'critical' };
const slackSignal = (message: SlackMessageLike): Signal | undefined =>
  parseAlertMessage(message, SERVICES, at(999))?.signals[0];
const webhookSignal = (
  annotations: Record<string, string>,
  extraLabels: Record<string, string> = {},
): Signal | undefined =>
  parseAlertmanagerWebhook(alertmanagerWebhook([{ labels: { ...labels, ...extraLabels }, annotations }]), SERVICES, T0)
    .signals[0];
/** What the trigger rules make of one firing signal on its own. */
const judged = (signal: Signal | undefined) => {
  if (!signal) throw new Error('expected a signal');
  return evaluate(INITIAL_TRIGGER_STATE, sampleFromSignals({ at: T0 }, [signal]), RUNBOOK_TRIGGERS);
};

describe('a rate in free text', () => {
  it.each([
    ['5xx rate is 37.5%', 0.375],
    ['0.375 of requests answered 5xx', 0.375],
    ['37.5 % of requests failed', 0.375],
    ['5xx rate 37.5% is above the 25% threshold', 0.375],
    ['threshold 25%: 5xx at 41%', 0.41],
    ['0.41 > 0.25', 0.41],
    ['rate is 0.5%.', 0.005],
  ])('%j -> %s', (text, rate) => {
    expect(rateInText(text)).toBeCloseTo(rate, 10);
  });

  it.each([
    ['5xx rate above 25% for 5 minutes'],
    ['HTTP 500 errors on /api/notes'],
    ['more than 25% of requests fail'],
    ['over the last 1.5 minutes'],
    ['p95 of 1.5s on 10.0.0.1:9090, version 1.9.0'],
    ['[FIRING:1] HighHttp5xxRate'],
    ['5xx rate is 150%'],
    [''],
  ])('finds no measured rate in %j', (text) => {
    expect(rateInText(text)).toBeUndefined();
  });

  it('reads a bare figure above 1 as a percent, and refuses what cannot be a share', () => {
    expect(asRate(37.5)).toBe(0.375);
    expect(asRate(0.375)).toBe(0.375);
    expect(asRate(1)).toBe(1);
    expect(asRate(250)).toBeUndefined();
    expect(asRate(-0.1)).toBeUndefined();
  });
});

describe('Alertmanager Slack notification', () => {
  it.each([
    ['a Value line with a fraction', { summary: 'HTTP 5xx error rate above 25%', value: '0.375' }, 0.375],
    ['a Value line with a percent', { summary: 'HTTP 5xx error rate above 25%', value: '37.5%' }, 0.375],
    ['a Value line above 1 without a percent sign', { summary: 'HTTP 5xx error rate above 25%', value: '37.5' }, 0.375],
    ['a summary with $value as a percent', { summary: '5xx rate is 37.5%' }, 0.375],
    [
      'a description with $value as a fraction',
      {
        summary: 'HTTP 5xx error rate above 25%',
        description: '0.375 of requests to dr-amal-clinical-os answered 5xx',
      },
      0.375,
    ],
  ])('reads %s', (_form, annotations, value) => {
    const signal = slackSignal(alertmanagerSlackWithText([{ labels, annotations }], at(5)));
    expect(signal).toMatchObject({ service: CLINICAL, kind: 'five_xx_rate', firing: true, source: 'alertmanager' });
    expect(signal?.value).toBeCloseTo(value, 10);
    // With a figure the 5xx rule judges it: above 25%, building towards MUST; not "alerts for judgement".
    expect(judged(signal)).toMatchObject({ verdict: 'may', rule: 'five_xx_rate', state: { fiveXxIntervals: 1 } });
  });

  it('still parses an alert that carries no figure: value undefined, alerts for judgement as before', () => {
    for (const message of [
      alertmanagerSlack([{ labels }]),
      alertmanagerSlackWithText([{ labels, annotations: { summary: 'HTTP 5xx error rate above 25%' } }]),
    ]) {
      const signal = slackSignal(message);
      expect(signal).toMatchObject({ kind: 'five_xx_rate', firing: true });
      expect(signal?.value).toBeUndefined();
      expect(judged(signal)).toMatchObject({ verdict: 'may', rule: 'other_alerts' });
    }
  });

  it("reads no figure for alerts that are not rates (a probe alert's Value: 0 is not a share of failures)", () => {
    const signIn = slackSignal(
      alertmanagerSlackWithText([
        {
          labels: { alertname: 'SignInFailing', service: 'dr-amal-clinical-os' },
          annotations: { summary: 'sign-in failing', value: '0' },
        },
      ]),
    );
    expect(signIn).toMatchObject({ kind: 'auth_broken' });
    expect(signIn?.value).toBeUndefined();
    expect(judged(signIn)).toMatchObject({ verdict: 'must', rule: 'auth_broken' });
  });

  it("reads the drill's Alertmanager messages with the measured share, firing and resolved", () => {
    const message = (firing: boolean, rate: number): SlackMessageLike => {
      const { title, text, link } = alertmanagerNotification('dr-amal-clinical-os', firing, rate);
      return {
        subtype: 'bot_message',
        bot_id: 'B0ALERTMGR',
        username: 'Alertmanager',
        ts: '1768644000.000100',
        text: '',
        attachments: [{ title, title_link: link, text, fallback: title }],
      };
    };
    const firing = slackSignal(message(true, 0.4));
    expect(firing).toMatchObject({ kind: 'five_xx_rate', firing: true, value: 0.4 });
    expect(firing?.value).toBeGreaterThan(FIVE_XX_THRESHOLD);
    expect(slackSignal(message(false, 0.1))).toMatchObject({
      kind: 'five_xx_rate',
      firing: false,
      value: 0.1,
      fingerprint: firing?.fingerprint,
    });
  });
});

describe('Alertmanager and Grafana webhooks', () => {
  it.each([
    ['a value annotation (fraction)', { summary: '5xx ratio above 25%', value: '0.375' }, {}, 0.375],
    ['a value annotation (percent)', { summary: '5xx ratio above 25%', value: '37.5%' }, {}, 0.375],
    ['a value annotation above 1 without %', { value: '37.5' }, {}, 0.375],
    ['a value label', { summary: '5xx ratio above 25%' }, { value: '0.375' }, 0.375],
    ['$value rendered into the summary', { summary: '5xx rate is 37.5%' }, {}, 0.375],
    [
      '$value rendered into the description',
      { summary: 'High 5xx rate', description: '0.375 of requests answered 5xx' },
      {},
      0.375,
    ],
  ])('Alertmanager: reads %s', (_form, annotations, extra, value) => {
    const signal = webhookSignal(annotations, extra);
    expect(signal?.value).toBeCloseTo(value, 10);
    expect(judged(signal)).toMatchObject({ rule: 'five_xx_rate' });
  });

  it('Alertmanager: an alert without any figure is parsed with no value and left for judgement', () => {
    const signal = webhookSignal({ summary: '5xx ratio above 25% on dr-amal-clinical-os' });
    expect(signal).toMatchObject({ kind: 'five_xx_rate', firing: true });
    expect(signal?.value).toBeUndefined();
    expect(judged(signal)).toMatchObject({ verdict: 'may', rule: 'other_alerts' });
  });

  it('reads a feature error rate from its description as a SHOULD', () => {
    const signal = webhookSignal(
      { summary: 'AI notes error rate', description: 'ai-notes errors are 14% of requests' },
      { alertname: 'FeatureErrorRate', feature: 'ai-notes' },
    );
    expect(signal).toMatchObject({ kind: 'error_rate', value: 0.14, feature: 'ai-notes' });
    expect(judged(signal)).toMatchObject({ verdict: 'should', rule: 'feature_error_rate' });
  });

  it('reads the feature from a flag label or a feature annotation, a feature label first', () => {
    const summary = { summary: 'rate limiting not enforced on /api/v2/generate' };
    expect(webhookSignal(summary, { feature_flag: 'ai-notes', route: '/api/v2/generate' })?.feature).toBe('ai-notes');
    const route = { route: '/api/v2/generate' };
    expect(webhookSignal({ ...summary, feature: ' AI notes ' }, route)?.feature).toBe('AI notes');
    expect(webhookSignal({ ...summary, flag: 'ai-notes' }, { feature: 'notes' })?.feature).toBe('notes');
    expect(webhookSignal(summary, { route: '/api/v2/generate' })?.feature).toBe('/api/v2/generate');
  });

  it('Grafana: the evaluated values win; without them the summary is read', () => {
    const withValues = grafanaWebhook([
      { labels, annotations: { summary: '5xx rate is 90%' }, values: { B: 0.31, C: 1 } },
    ]);
    expect(parseGrafanaWebhook(withValues, SERVICES, T0).signals[0]?.value).toBe(0.31);
    const fromWords = grafanaWebhook([{ labels, annotations: { summary: '5xx rate is 41%' } }]);
    expect(parseGrafanaWebhook(fromWords, SERVICES, T0).signals[0]?.value).toBe(0.41);
  });
});
