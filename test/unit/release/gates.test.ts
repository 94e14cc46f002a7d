import type { SlackUserId } from '../../../src/rollback/ids';
import type { ResolvedRoles } from '../../../src/rollback/incident/authority';
import type { PreflightReport } from '../../../src/rollback/preflight/report';
import { failed, passed } from '../../../src/rollback/preflight/report';
import type { ServiceName } from '../../../src/rollback/ids';
import { judgeGates, refusedOverrides } from '../../../src/rollback/release/gates';

const CTO = 'UCTO1' as SlackUserId;
const LEAD = 'ULEAD1' as SlackUserId;
const roles: ResolvedRoles = { devopsLead: [LEAD], dba: [], cto: [CTO], onCall: [] };
const candidate = 'abc1234'.padEnd(40, '0');

function report(failing: ('tests' | 'deploy-window')[] = []): PreflightReport {
  const ids = ['tests', 'deploy-window', 'migrations'] as const;
  const checks = ids.map((id) =>
    failing.includes(id as never)
      ? failed(id, { detail: `${id} failed`, fix: 'fix it' })
      : passed(id, { detail: `${id} ok` }),
  );
  return {
    service: 'web' as ServiceName,
    candidate: undefined,
    live: undefined,
    checkedAt: new Date(),
    checks,
    passed: failing.length === 0,
  };
}

const smoke = { stagingCommit: candidate, failures: [] };

describe('release gates', () => {
  it('pass on a passing checklist, in the deploy window, with staging on the candidate passing smoke', () => {
    const verdict = judgeGates({ preflight: report(), candidateCommit: candidate, smoke, overrides: [], roles });
    expect(verdict.passed).toBe(true);
    expect(verdict.gates.map((g) => g.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('refuse a failing checklist and hours outside the window; a CTO override with a reason passes each', () => {
    const refused = judgeGates({
      preflight: report(['tests', 'deploy-window']),
      candidateCommit: candidate,
      smoke,
      overrides: [],
      roles,
    });
    expect(refused.passed).toBe(false);
    expect(refused.gates.filter((g) => g.status === 'fail').map((g) => g.gate)).toEqual(['preflight', 'deploy-window']);
    const overrides = [
      { gate: 'preflight' as const, by: CTO, reason: 'flaky test, fixed upstream' },
      { gate: 'deploy-window' as const, by: CTO, reason: 'security fix cannot wait' },
    ];
    const overridden = judgeGates({
      preflight: report(['tests', 'deploy-window']),
      candidateCommit: candidate,
      smoke,
      overrides,
      roles,
    });
    expect(overridden.passed).toBe(true);
    expect(overridden.gates[0]).toMatchObject({
      status: 'overridden',
      detail: expect.stringContaining('flaky test, fixed upstream'),
      overriddenBy: CTO,
    });
  });

  it('does not count an override from someone other than the CTO, or one without a reason', () => {
    const overrides = [
      { gate: 'preflight' as const, by: LEAD, reason: 'I am sure it is fine' },
      { gate: 'deploy-window' as const, by: CTO, reason: ' ' },
    ];
    expect(
      judgeGates({ preflight: report(['tests', 'deploy-window']), candidateCommit: candidate, smoke, overrides, roles })
        .passed,
    ).toBe(false);
    expect(refusedOverrides(overrides, roles)).toEqual([
      'only the CTO may override the preflight gate',
      'an override of the deploy-window gate needs a reason (a few words at least)',
    ]);
  });

  it('refuses when staging runs another commit or its smoke tests fail; no override lets that through', () => {
    const other = judgeGates({
      preflight: report(),
      candidateCommit: candidate,
      smoke: { stagingCommit: 'fff0000', failures: [] },
      overrides: [],
      roles,
    });
    expect(other.gates[2]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('not the candidate abc1234'),
    });
    const failing = judgeGates({
      preflight: report(),
      candidateCommit: candidate,
      smoke: { stagingCommit: 'abc1234', failures: ['sign-in: 500'] },
      overrides: [],
      roles,
    });
    expect(failing).toMatchObject({
      passed: false,
      gates: [{}, {}, { detail: expect.stringContaining('sign-in: 500') }],
    });
  });
});
