/**
 * The plan of steps for each kind of rollback, with the runbook's expected
 * durations and the approvals it needs: plain data the engine stores as
 * steps and `/rollback plan` renders without changing anything.
 */
import type { ApprovedAction } from '../ports/approval';
import { needsApproval } from './step-state';
import type { StepKind } from './step-state';

/** What a `/rollback` asks for: application (Vercel), git Option A, git Option B, schema. */
export const ROLLBACK_KINDS = ['application', 'revert', 'reset', 'schema'] as const;
export type RollbackKind = (typeof ROLLBACK_KINDS)[number];

interface Duration {
  readonly minMinutes: number;
  readonly maxMinutes: number;
  /** The runbook's own words, e.g. "2-5 minutes". */
  readonly runbook: string;
}

/** The runbook's "Data Loss" line for the procedure; a schema plan adds the measured estimate. */
type DataLossRisk = 'none' | 'history_rewritten' | 'high';

interface PlannedStep {
  /** 1-based, as stored in steps.position. */
  readonly position: number;
  readonly kind: StepKind;
  readonly needsApproval: boolean;
  readonly title: string;
}

interface PlannedApproval {
  readonly position: number;
  readonly action: ApprovedAction;
  readonly role: 'cto';
}

export interface RollbackPlan {
  readonly kind: RollbackKind;
  readonly title: string;
  readonly steps: readonly PlannedStep[];
  readonly approvals: readonly PlannedApproval[];
  readonly duration: Duration;
  readonly dataLoss: DataLossRisk;
  readonly dataLossNote: string;
}

const STEP_TITLES: Record<StepKind, string> = {
  application: 'Move production back to the target deployment on Vercel',
  code_revert: 'Revert the commits on the deploy branch (git Option A, keeps history)',
  code_reset: 'Reset the deploy branch to the target commit (git Option B, rewrites history)',
  deploy: 'Build and deploy the branch head to production',
  schema: 'Roll back the schema migration',
  verification: 'Verify production: health, version and smoke tests',
};

const APPROVED_ACTION: Partial<Record<StepKind, ApprovedAction>> = {
  code_reset: 'git-reset',
  schema: 'schema-rollback',
};

interface Recipe {
  readonly title: string;
  readonly steps: readonly StepKind[];
  readonly duration: Duration;
  readonly dataLoss: DataLossRisk;
  readonly dataLossNote: string;
}

const APP: Duration = Object.freeze({ minMinutes: 2, maxMinutes: 5, runbook: '2-5 minutes' });
const GIT: Duration = Object.freeze({ minMinutes: 5, maxMinutes: 10, runbook: '5-10 minutes' });
const SCHEMA: Duration = Object.freeze({ minMinutes: 15, maxMinutes: 30, runbook: '15-30 minutes' });

const RECIPES: Record<RollbackKind, Recipe> = {
  application: {
    title: 'Application rollback (Vercel)',
    steps: ['application', 'verification'],
    duration: APP,
    dataLoss: 'none',
    dataLossNote: 'None (stateless application).',
  },
  revert: {
    title: 'Git revert (Option A)',
    steps: ['code_revert', 'deploy', 'verification'],
    duration: GIT,
    dataLoss: 'none',
    dataLossNote: 'None: the revert commits keep the history.',
  },
  reset: {
    title: 'Git reset to last good (Option B)',
    steps: ['code_reset', 'deploy', 'verification'],
    duration: GIT,
    dataLoss: 'history_rewritten',
    dataLossNote: 'No data, but the commits after the target leave the branch history (force push).',
  },
  schema: {
    title: 'Schema migration rollback',
    // Verification after the schema step: COMPLETE always means production answered its checks.
    steps: ['schema', 'verification'],
    duration: SCHEMA,
    dataLoss: 'high',
    dataLossNote: 'HIGH RISK: new data in dropped columns and tables is lost.',
  },
};

function freeze<T>(value: T): T {
  return Object.freeze(value);
}

export function buildPlan(kind: RollbackKind): RollbackPlan {
  const recipe = RECIPES[kind];
  const steps = recipe.steps.map((stepKind, index) =>
    freeze({
      position: index + 1,
      kind: stepKind,
      needsApproval: needsApproval(stepKind),
      title: STEP_TITLES[stepKind],
    }),
  );
  const approvals = steps.flatMap((step) => {
    const action = APPROVED_ACTION[step.kind];
    return action ? [freeze({ position: step.position, action, role: 'cto' as const })] : [];
  });
  return freeze({
    kind,
    title: recipe.title,
    steps: freeze(steps),
    approvals: freeze(approvals),
    duration: recipe.duration,
    dataLoss: recipe.dataLoss,
    dataLossNote: recipe.dataLossNote,
  });
}

/** The "ETA" line of ROLLBACK IN PROGRESS: the runbook's upper bound, so nobody is promised too little. */
export function etaMinutes(plan: RollbackPlan): number {
  return plan.duration.maxMinutes;
}

/** The approval a step needs before it may start, if any. */
export function approvedActionFor(kind: StepKind): ApprovedAction | undefined {
  return APPROVED_ACTION[kind];
}

export function isRollbackKind(value: string): value is RollbackKind {
  return (ROLLBACK_KINDS as readonly string[]).includes(value);
}
