/** Git and the app database's migrations, as the engine tests need them: answers set by the test, calls recorded. */
import type { CommitSha, MigrationName, ServiceName } from '../../../src/rollback/ids';
import type {
  CodeRollbackPort,
  CommitSummary,
  ExportedMigrations,
  MigrationsDiff,
  OwnRevert,
  PushedCommit,
  ResetInput,
  ResetResult,
  RevertInput,
  RevertResult,
} from '../../../src/rollback/ports/code';
import type {
  ExecuteRequest,
  MigrationStatus,
  PlanRequest,
  ReconcileResult,
  SchemaPort,
  SchemaRollbackPlan,
  SchemaRollbackResult,
} from '../../../src/rollback/ports/schema';

const sha = (text: string): CommitSha => text as CommitSha;

export class FakeCode implements CodeRollbackPort {
  readonly calls: { method: string; input: unknown }[] = [];
  head = sha('c0ffee00d15');

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private pushed(commit: CommitSha): PushedCommit {
    const previousHead = this.head;
    this.head = commit;
    return { commit, head: commit, previousHead, workTree: '/work-tree', status: 'done' };
  }

  async listCommits(): Promise<CommitSummary[]> {
    return [];
  }

  async revert(input: RevertInput): Promise<RevertResult> {
    this.calls.push({ method: 'revert', input });
    const target = 'commit' in input.target ? input.target.commit : input.target.newest;
    return { ...this.pushed(sha('4e7e47e47e4')), reverted: [sha(target)], redoneAfterRace: false };
  }

  async reset(input: ResetInput): Promise<ResetResult> {
    this.calls.push({ method: 'reset', input });
    return { ...this.pushed(sha(input.target)), discarded: [this.head] };
  }

  async branchHead(): Promise<CommitSha> {
    return this.head;
  }

  async findOwnRevert(): Promise<OwnRevert | undefined> {
    return undefined;
  }

  async migrationsBetween(): Promise<MigrationsDiff> {
    return { onlyAtFrom: [], onlyAtTo: [] };
  }

  async exportMigrations(service: ServiceName, commit: CommitSha): Promise<ExportedMigrations> {
    this.calls.push({ method: 'exportMigrations', input: { service, commit } });
    return { dir: '/exported/prisma/migrations', commit, cleanup: async () => undefined };
  }

  async removeMigration(): Promise<PushedCommit> {
    return this.pushed(sha('5e5e5e5e5e5'));
  }
}

export class FakeSchema implements SchemaPort {
  readonly calls: { method: string; input: unknown }[] = [];
  /** Set to make the plan unproven (the shadow database disagreed). */
  blockers: string[] = [];
  /** What _prisma_migrations says after a crash. */
  reconcileState: ReconcileResult['state'] = 'applied';

  async status(): Promise<MigrationStatus> {
    return { entries: [], summary: 'Database schema is up to date!' };
  }

  async planRollback(request: PlanRequest): Promise<SchemaRollbackPlan> {
    this.calls.push({ method: 'planRollback', input: request });
    return {
      migrationName: request.migrationName,
      checksum: 'abc123',
      steps: [],
      irreversible: [],
      blockers: this.blockers,
      dataLoss: [{ table: { schema: 'public', name: 'ai_features' }, rows: 42, nonNullValues: 42 }],
      verifiedOnShadow: true,
      shadowDifferences: [],
      alternatives: [],
      risks: [],
    };
  }

  async execute(request: ExecuteRequest): Promise<SchemaRollbackResult> {
    this.calls.push({ method: 'execute', input: request });
    return {
      migrationName: request.plan.migrationName,
      archived: [],
      statementsRun: 1,
      rolledBackAt: new Date(0),
      followUp: 'Remove the folder.',
    };
  }

  async reconcile(_databaseUrl: string, migrationName: MigrationName): Promise<ReconcileResult> {
    this.calls.push({ method: 'reconcile', input: { migrationName } });
    return {
      migrationName,
      state: this.reconcileState,
      archivedTables: this.reconcileState === 'rolled-back' ? ['_archive_ai_features'] : [],
    };
  }
}
