import { parseAlertMessage } from '../../../src/rollback/signals';
import type { KnownService } from '../../../src/rollback/signals';
import { at, CLINICAL, SERVICES, SITE, T0 } from './builders';
import {
  alertmanagerSlack,
  datadogSlack,
  grafanaSlack,
  personSays,
  sentryIssueSlack,
  sentryMetricSlack,
} from './slack-builders';

const fiveXx = { labels: { alertname: 'High5xxRate', service: 'dr-amal-clinical-os', severity: 'critical' } };
const parse = (message: Parameters<typeof parseAlertMessage>[0], services: readonly KnownService[] = SERVICES) =>
  parseAlertMessage(message, services, at(999));

describe('Alertmanager default Slack notification', () => {
  it('reads status, service and symptom from the title, with the message time', () => {
    const parsed = parse(alertmanagerSlack([fiveXx], at(5)));
    expect(parsed?.source).toBe('alertmanager');
    expect(parsed?.signals).toEqual([
      expect.objectContaining({
        service: CLINICAL,
        kind: 'five_xx_rate',
        firing: true,
        at: at(5),
        severity: 'critical',
      }),
    ]);
  });

  it('gives the resolve the same fingerprint as the firing alert', () => {
    const firing = parse(alertmanagerSlack([fiveXx, { labels: { ...fiveXx.labels, instance: 'b' } }]))?.signals[0];
    const resolved = parse(
      alertmanagerSlack([
        { ...fiveXx, status: 'resolved' },
        { labels: { ...fiveXx.labels, instance: 'b' }, status: 'resolved' },
      ]),
    )?.signals[0];
    expect(resolved?.firing).toBe(false);
    expect(resolved?.fingerprint).toBe(firing?.fingerprint);
  });

  it('reports an alert naming no known service as unmatched', () => {
    const parsed = parse(alertmanagerSlack([{ labels: { alertname: 'High5xxRate', service: 'billing-api' } }]));
    expect(parsed?.signals).toEqual([]);
    expect(parsed?.unmatched).toHaveLength(1);
  });
});

describe('Grafana default Slack notification', () => {
  it('reads each listed alert with its status and value', () => {
    const message = grafanaSlack([
      { ...fiveXx, annotations: { summary: 'too many 5xx' }, values: { B: 0.42, C: 1 } },
      {
        labels: { alertname: 'LoginFailures', service: 'dr-amal-clinical-os' },
        status: 'resolved',
        values: { B: 0.02, C: 0 },
      },
    ]);
    const parsed = parse(message);
    expect(parsed?.source).toBe('grafana');
    expect(parsed?.signals.map((s) => [s.kind, s.firing, s.value])).toEqual([
      ['five_xx_rate', true, 0.42],
      ['auth_broken', false, 0.02],
    ]);
  });

  it('fingerprints an alert by its labels, so its later resolve matches', () => {
    const firing = parse(grafanaSlack([{ ...fiveXx, values: { B: 0.4 } }]))?.signals[0];
    const resolved = parse(grafanaSlack([{ ...fiveXx, status: 'resolved', values: { B: 0.1 } }]))?.signals[0];
    expect(resolved).toMatchObject({ firing: false, fingerprint: firing?.fingerprint });
  });
});

describe('Datadog monitor Slack notification', () => {
  const body = 'HTTP 5xx ratio is above 25% for service:dr-amal-clinical-os env:production';

  it('reads Triggered as firing and Recovered as resolved, with one fingerprint', () => {
    const triggered = parse(datadogSlack('Triggered', '[P1] High 5xx rate on dr-amal-clinical-os', body))?.signals[0];
    const recovered = parse(datadogSlack('Recovered', '[P1] High 5xx rate on dr-amal-clinical-os', body))?.signals[0];
    expect(triggered).toMatchObject({
      service: CLINICAL,
      kind: 'five_xx_rate',
      firing: true,
      source: 'datadog',
      severity: 'critical',
    });
    expect(recovered).toMatchObject({ firing: false, fingerprint: triggered?.fingerprint });
  });

  it('trusts the service tag', () => {
    const parsed = parse(datadogSlack('Triggered', 'Sign-in failures', 'Users cannot sign in. service:billing-api'));
    expect(parsed?.unmatched).toEqual([expect.objectContaining({ serviceHint: 'billing-api' })]);
  });

  it('ignores No Data: missing data is not a symptom', () => {
    expect(parse(datadogSlack('No Data', 'High 5xx rate on dr-amal-clinical-os', body))).toBeUndefined();
  });
});

describe('Sentry Slack alerts', () => {
  it('reads a metric alert with its rate and its resolve', () => {
    const critical = parse(
      sentryMetricSlack(
        'Critical',
        'AI notes error rate on dr-amal-clinical-os',
        '34.5% failure rate in the last 10 minutes',
      ),
    )?.signals[0];
    expect(critical).toMatchObject({
      service: CLINICAL,
      kind: 'error_rate',
      value: 0.345,
      firing: true,
      severity: 'critical',
      source: 'sentry',
    });
    const resolved = parse(
      sentryMetricSlack(
        'Resolved',
        'AI notes error rate on dr-amal-clinical-os',
        '1.2% failure rate in the last 10 minutes',
      ),
    )?.signals[0];
    expect(resolved).toMatchObject({ firing: false, fingerprint: critical?.fingerprint });
  });

  it('ties an issue alert to the project in its short id, as a matter for judgement', () => {
    const parsed = parse(
      sentryIssueSlack(
        "TypeError: Cannot read properties of undefined (reading 'id')",
        'app/patients/[id]/page.tsx in PatientView',
        'DR-AMAL-CLINICAL-OS-1A',
        'Errors in production',
      ),
    );
    expect(parsed?.signals).toEqual([expect.objectContaining({ service: CLINICAL, kind: 'other', firing: true })]);
  });
});

describe('plain text reports', () => {
  it('reads "service: symptom"', () => {
    const parsed = parse(personSays('dr-amal-clinical-os: sign-in returns 500', at(7)));
    expect(parsed?.source).toBe('plain_text');
    expect(parsed?.signals).toEqual([
      expect.objectContaining({ service: CLINICAL, kind: 'auth_broken', firing: true, at: at(7) }),
    ]);
  });

  it.each([
    ['dr-amal-clinical-os: database writes failing, patients cannot be saved', 'db_writes_failing'],
    ['Rate limiting is broken on dr-amal-clinical-os, no 429s at all', 'rate_limit_broken'],
    ['dr-amal-clinical-os is slow, latency through the roof', 'p95_latency'],
    ['Critical security vulnerability in dr-amal-clinical-os (CVE-2026-1234)', 'security_vulnerability'],
    ['dr-amal-clinical-os is down', 'other'],
  ])('%s -> %s', (text, kind) => {
    expect(parse(personSays(text))?.signals[0]?.kind).toBe(kind);
  });

  it('marks a critical vulnerability report as critical', () => {
    expect(parse(personSays('Critical security vulnerability in dr-amal-clinical-os'))?.signals[0]?.severity).toBe(
      'critical',
    );
  });

  it('resolves with the same fingerprint when someone says it is fixed', () => {
    const broken = parse(personSays('dr-amal-clinical-os: sign-in returns 500'))?.signals[0];
    const fixed = parse(personSays('dr-amal-clinical-os: sign-in is fixed'))?.signals[0];
    expect(fixed).toMatchObject({ firing: false, fingerprint: broken?.fingerprint });
  });

  it('reports a "name: symptom" line about an unknown service as unmatched', () => {
    const parsed = parse(personSays('billing-api: database writes failing'));
    expect(parsed?.signals).toEqual([]);
    expect(parsed?.unmatched).toEqual([expect.objectContaining({ serviceHint: 'billing-api', source: 'plain_text' })]);
  });

  it.each([['lunch anyone?'], ['deploying dr-amal-clinical-os tonight at 23:00'], ['the build is broken again'], ['']])(
    'ignores %j',
    (text) => {
      expect(parse(personSays(text))).toBeUndefined();
    },
  );

  it('prefers the longest service name, and does not match a name inside a longer one', () => {
    expect(parse(personSays('dr-amal-clinical-os: sign-in returns 500'))?.signals[0]?.service).toBe(CLINICAL);
    expect(parse(personSays('dr-amal: site is down'))?.signals[0]?.service).toBe(SITE);
    expect(parse(personSays('dr-amal-staging: site is down'))?.signals).toEqual([]);
  });
});

describe('parseAlertMessage routing', () => {
  it("does not read a tool message it cannot parse as a person's report", () => {
    const unknownBot = {
      bot_id: 'B0OTHER',
      ts: '1768644000.000100',
      attachments: [{ title: 'dr-amal-clinical-os deploy failed', text: 'build error' }],
    };
    expect(parse(unknownBot)).toBeUndefined();
  });

  it('uses the receipt time when a message has no ts', () => {
    const parsed = parseAlertMessage({ text: 'dr-amal-clinical-os: sign-in returns 500' }, SERVICES, T0);
    expect(parsed?.signals[0]?.at).toEqual(T0);
  });
});
