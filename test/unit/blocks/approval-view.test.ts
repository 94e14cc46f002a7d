import { parseServicesFile } from '../../../src/config/load-config';
import { approvalView } from '../../../src/slack/approval-view';
import type { ApprovalRecord, IncidentRecord, StepRecord } from '../../../src/rollback/ports/incident-store';
import { exampleServiceRaw, servicesYaml } from '../../support/services';

const [service] = parseServicesFile(servicesYaml([exampleServiceRaw()]), 'test');
const at = new Date('2026-01-17T15:00:00Z');
const incident: IncidentRecord = {
  id: 'INC-1',
  service: 'dr-amal-clinical-os',
  state: 'open',
  issue: 'AI features broke sign-in',
  trigger: '/rollback',
  openedAt: at,
  data: {
    request: { kind: 'schema', target: '20260117000000_add_ai_features' },
    requestedBy: 'U0DEVOPS1',
    owner: 'U0DEVOPS1',
  },
};
const approval: ApprovalRecord = {
  id: 'APR-1',
  incidentId: 'INC-1',
  stepId: '1',
  action: 'schema-rollback',
  requestedBy: 'U0DEVOPS1',
  requestedAt: at,
  expiresAt: new Date(at.getTime() + 1_800_000),
  decision: 'pending',
};
const stepWith = (source: { origin: string; description: string }): StepRecord => ({
  id: '1',
  incidentId: 'INC-1',
  position: 1,
  kind: 'schema',
  state: 'awaiting_approval',
  input: {
    target: '20260117000000_add_ai_features',
    plan: { dataLoss: [], steps: [{ sql: 'ALTER TABLE "User" DROP COLUMN "aiConsent";' }], source },
  },
  attempts: 0,
  updatedAt: at,
});

describe('approvalView: where the migration SQL came from', () => {
  it('tells the CTO when the SQL was not in the commit production serves', () => {
    const view = approvalView(
      incident,
      approval,
      stepWith({
        origin: 'added',
        description: 'Not in the commit production serves (29403ad); read from commit 7c1e0f2, which added it.',
      }),
      service as never,
    );
    expect(view.notes?.[0]).toBe(
      'Migration SQL: Not in the commit production serves (29403ad); read from commit 7c1e0f2, which added it.',
    );
  });

  it('says nothing extra when the SQL is the serving commit’s own folder', () => {
    const view = approvalView(
      incident,
      approval,
      stepWith({ origin: 'folder', description: 'Read from the commit production serves (29403ad).' }),
      service as never,
    );
    expect(view.notes?.some((n) => n.startsWith('Migration SQL'))).toBe(false);
  });
});

describe('approvalView: the shadow verdict with data', () => {
  const withPlan = (plan: Record<string, unknown>): StepRecord => ({
    ...stepWith({ origin: 'folder', description: '' }),
    input: { target: '20260117000000_add_ai_features', plan: { dataLoss: [], steps: [], ...plan } },
  });

  it('shows the rows checked when verified', () => {
    const view = approvalView(
      incident,
      approval,
      withPlan({
        verifiedWithData: true,
        shadowDifferences: [],
        sampledRows: [{ table: { name: 'AiRun' }, rows: 10 }],
      }),
      service as never,
    );
    expect(view.notes).toContain(
      'Shadow check with live rows (AiRun 10): verified, the schema and every sampled value came back.',
    );
  });

  it('shows the differences when not verified', () => {
    const view = approvalView(
      incident,
      approval,
      withPlan({
        verifiedWithData: false,
        shadowDifferences: ['missing: column public.User.legacy text'],
        sampledRows: [],
      }),
      service as never,
    );
    expect(view.notes).toContain(
      'Shadow check with live rows (no rows): NOT verified: missing: column public.User.legacy text',
    );
  });
});
