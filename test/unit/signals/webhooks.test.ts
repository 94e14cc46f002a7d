import { RollbackError } from '../../../src/rollback/errors';
import { parseAlertmanagerWebhook, parseGrafanaWebhook } from '../../../src/rollback/signals';
import { alertmanagerWebhook, CLINICAL, grafanaWebhook, SERVICES, T0 } from './builders';

const fiveXx = {
  labels: { alertname: 'High5xxRate', service: 'dr-amal-clinical-os', severity: 'critical' },
  annotations: { summary: '5xx ratio above 25% on dr-amal-clinical-os', value: '0.37' },
};

function badInput(run: () => unknown): RollbackError {
  try {
    run();
  } catch (error) {
    if (error instanceof RollbackError) return error;
    throw error;
  }
  throw new Error('expected a bad_input RollbackError');
}

describe('Alertmanager webhook (version 4)', () => {
  it('turns a firing alert into a signal for the labelled service', () => {
    const parsed = parseAlertmanagerWebhook(
      alertmanagerWebhook([{ ...fiveXx, fingerprint: '1a30ba71cca2921f' }]),
      SERVICES,
      T0,
    );
    expect(parsed.unmatched).toEqual([]);
    expect(parsed.signals).toEqual([
      {
        service: CLINICAL,
        kind: 'five_xx_rate',
        value: 0.37,
        firing: true,
        fingerprint: 'alertmanager:1a30ba71cca2921f',
        source: 'alertmanager',
        at: T0,
        startedAt: new Date('2026-01-17T09:58:00.123Z'),
        summary: 'High5xxRate: 5xx ratio above 25% on dr-amal-clinical-os',
        severity: 'critical',
      },
    ]);
  });

  it('reads a resolved alert as not firing, with the same fingerprint', () => {
    const body = alertmanagerWebhook([
      { ...fiveXx, status: 'resolved', endsAt: '2026-01-17T10:05:00Z', fingerprint: '1a30ba71cca2921f' },
    ]);
    const [s] = parseAlertmanagerWebhook(body, SERVICES, T0).signals;
    expect(s).toMatchObject({ firing: false, fingerprint: 'alertmanager:1a30ba71cca2921f' });
  });

  it('matches the service by its job label or by name in the alert text when there is no service label', () => {
    const body = alertmanagerWebhook([
      { labels: { alertname: 'DatabaseWritesFailing', job: 'dr-amal-clinical-os' } },
      {
        labels: { alertname: 'AuthDown', instance: 'web-1' },
        annotations: { summary: 'Sign-in failing on Dr Amal Clinical OS' },
      },
    ]);
    const kinds = parseAlertmanagerWebhook(body, SERVICES, T0).signals.map((s) => [s.service, s.kind]);
    expect(kinds).toEqual([
      [CLINICAL, 'db_writes_failing'],
      [CLINICAL, 'auth_broken'],
    ]);
  });

  it('reports an alert for an unknown service instead of guessing, even when the text mentions a known one', () => {
    const body = alertmanagerWebhook([
      {
        labels: { alertname: 'High5xxRate', service: 'billing-api' },
        annotations: { description: 'calls from dr-amal-clinical-os fail' },
      },
    ]);
    const parsed = parseAlertmanagerWebhook(body, SERVICES, T0);
    expect(parsed.signals).toEqual([]);
    expect(parsed.unmatched).toEqual([expect.objectContaining({ source: 'alertmanager', serviceHint: 'billing-api' })]);
  });

  it.each([
    ['an older payload version', (b: Record<string, unknown>) => ({ ...b, version: '3' }), 'version'],
    ['no alerts', (b: Record<string, unknown>) => ({ ...b, alerts: [] }), 'alerts'],
    [
      'a label that is not a string',
      (b: Record<string, unknown>) => ({ ...b, alerts: [{ ...(b.alerts as object[])[0], labels: { alertname: 5 } }] }),
      'alerts.0.labels.alertname',
    ],
    [
      'a startsAt that is not a time',
      (b: Record<string, unknown>) => ({ ...b, alerts: [{ ...(b.alerts as object[])[0], startsAt: 'yesterday' }] }),
      'alerts.0.startsAt',
    ],
    [
      'no fingerprint',
      (b: Record<string, unknown>) => ({ ...b, alerts: [{ ...(b.alerts as object[])[0], fingerprint: undefined }] }),
      'alerts.0.fingerprint',
    ],
  ])('refuses a body with %s, naming the field', (_what, mangle, where) => {
    const error = badInput(() => parseAlertmanagerWebhook(mangle(alertmanagerWebhook([fiveXx])), SERVICES, T0));
    expect(error.code).toBe('bad_input');
    expect(error.message).toContain(`malformed at ${where}`);
    expect(error.fix).toMatch(/Alertmanager/);
  });

  it('refuses something that is not JSON object at all', () => {
    expect(badInput(() => parseAlertmanagerWebhook('hello', SERVICES, T0)).code).toBe('bad_input');
  });
});

describe('Grafana webhook (unified alerting)', () => {
  it('takes the measured value from values, skipping the 0/1 threshold condition', () => {
    const body = grafanaWebhook([{ ...fiveXx, annotations: { summary: '5xx ratio high' }, values: { B: 0.31, C: 1 } }]);
    const [s] = parseGrafanaWebhook(body, SERVICES, T0).signals;
    expect(s).toMatchObject({
      service: CLINICAL,
      kind: 'five_xx_rate',
      value: 0.31,
      firing: true,
      source: 'grafana',
      fingerprint: 'grafana:c6eadffa33fcdf30',
    });
    expect(s?.startedAt).toEqual(new Date('2026-01-17T08:58:00.157Z'));
  });

  it('reads percents as fractions for rates and a feature label for error rates', () => {
    const body = grafanaWebhook([
      {
        labels: { alertname: 'CheckoutErrorRate', app: 'dr-amal-clinical-os', feature: 'ai-notes' },
        values: { A: 14, B: 1 },
      },
    ]);
    expect(parseGrafanaWebhook(body, SERVICES, T0).signals[0]).toMatchObject({
      kind: 'error_rate',
      value: 0.14,
      feature: 'ai-notes',
    });
  });

  it('reads a resolved alert as not firing', () => {
    const body = grafanaWebhook([{ ...fiveXx, status: 'resolved', endsAt: '2026-01-17T10:10:00Z' }]);
    expect(parseGrafanaWebhook(body, SERVICES, T0).signals[0]?.firing).toBe(false);
  });

  it('refuses the legacy dashboard-alert format and a body without version', () => {
    const legacy = {
      title: '[Alerting] 5xx',
      ruleId: 1,
      ruleName: '5xx',
      state: 'alerting',
      evalMatches: [{ value: 0.4, metric: '5xx' }],
    };
    expect(badInput(() => parseGrafanaWebhook(legacy, SERVICES, T0)).message).toContain('malformed at version');
    const { version: _v, ...noVersion } = grafanaWebhook([fiveXx]);
    expect(badInput(() => parseGrafanaWebhook(noVersion, SERVICES, T0)).message).toContain('version');
  });

  it('refuses values that are not numbers', () => {
    const body = grafanaWebhook([fiveXx]);
    (body.alerts as Array<Record<string, unknown>>)[0]!.values = { B: 'high' };
    expect(badInput(() => parseGrafanaWebhook(body, SERVICES, T0)).message).toContain('alerts.0.values.B');
  });
});
