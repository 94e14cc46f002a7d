/**
 * The scratch app the drill deploys and breaks: a tiny Next.js-shaped
 * repository with a Prisma migrations folder, written commit by commit. What
 * a deployment does when it serves is read from its code (appAt), the way a
 * real host would run whatever was built: the AI summaries module with a zero
 * provider timeout answers most requests with 500.
 */
export const SERVICE_NAME = 'dr-amal-clinical-os';
export const MIGRATIONS_DIR = 'prisma/migrations';
const LAST_GOOD_MIGRATION = '20260114000000_add_clinical_tables';
export const BAD_MIGRATION = '20260117000000_add_ai_features';
export const SUMMARIES_FILE = 'app/ai/summaries.ts';

/** Share of requests a deployment with the broken summaries module answers 500 to, rising as traffic reaches it. */
export const BROKEN_ERROR_RATES = [0.3, 0.5, 0.7, 0.9] as const;

export type Files = Record<string, string | null>;

interface ScratchCommit {
  readonly message: string;
  readonly files: Files;
}

const packageJson = (version: string): string => {
  const scripts = { build: 'prisma migrate deploy && next build' };
  return `${JSON.stringify({ name: SERVICE_NAME, version, private: true, scripts }, null, 2)}\n`;
};

const summaries = (timeoutMs: number): string =>
  [
    "import { provider } from './provider';",
    '',
    '/** Summarises a clinical note with the AI provider. */',
    'export async function summarize(body: string): Promise<string> {',
    `  return provider.complete({ prompt: body, timeoutMs: ${timeoutMs} });`,
    '}',
    '',
  ].join('\n');

const CLINICAL_TABLES = `-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClinicalNote" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ClinicalNote_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- AddForeignKey
ALTER TABLE "ClinicalNote" ADD CONSTRAINT "ClinicalNote_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON
  DELETE RESTRICT ON UPDATE CASCADE;
`;

const AI_FEATURES = `-- AlterTable
ALTER TABLE "ClinicalNote" ADD COLUMN "aiGenerated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "aiSummary" TEXT;

-- CreateTable
CREATE TABLE "AiRun" (
    "id" SERIAL NOT NULL,
    "noteId" INTEGER NOT NULL,
    "output" JSONB,
    CONSTRAINT "AiRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AiRun_noteId_idx" ON "AiRun"("noteId");

-- AddForeignKey
ALTER TABLE "AiRun" ADD CONSTRAINT "AiRun_noteId_fkey" FOREIGN KEY ("noteId") REFERENCES "ClinicalNote"("id") ON DELETE
  CASCADE ON UPDATE CASCADE;
`;

const migration = (name: string, sql: string): Files => ({ [`${MIGRATIONS_DIR}/${name}/migration.sql`]: sql });

/** What production ran before the drill: the runbook's "05e5fc2 Phase 1: Backend + tests" (1.5.0), with its schema. */
export const INITIAL_COMMIT: ScratchCommit = {
  message: 'feat: Phase 1: Backend + tests',
  files: {
    'package.json': packageJson('1.5.0'),
    'app/api/health/route.ts': "export const GET = () => Response.json({ status: 'ok' });\n",
    ...migration(LAST_GOOD_MIGRATION, CLINICAL_TABLES),
  },
};

/** The last known good release: the runbook's "b7920c6 feat: Complete Phase 2 frontend" (1.9.0). */
export const GOOD_COMMIT: ScratchCommit = {
  message: 'feat: Complete Phase 2 frontend',
  files: {
    'package.json': packageJson('1.9.0'),
    'app/page.tsx': 'export default function Home() {\n  return <main>Dr Amal Clinical OS</main>;\n}\n',
  },
};

/** The schema half of the AI release, in its own commit (the runbook's `git revert <migration-commit>`). */
export const MIGRATION_COMMIT: ScratchCommit = {
  message: 'feat(db): AI features schema',
  files: migration(BAD_MIGRATION, AI_FEATURES),
};

/** The code half: the runbook's "b90de38 feat(ai): Add AI features (CURRENT - BROKEN)". */
export const BAD_COMMIT: ScratchCommit = {
  message: 'feat(ai): Add AI features',
  files: { 'package.json': packageJson('2.0.0-beta'), [SUMMARIES_FILE]: summaries(0) },
};

/** The forward fix shipped after the rollback: same schema, a provider timeout that works. */
export const FIX_COMMIT: ScratchCommit = {
  message: 'fix(ai): give the AI provider a 5 s timeout',
  files: { 'package.json': packageJson('2.0.1'), [SUMMARIES_FILE]: summaries(5000) },
};

/** The release the progressive rollout step ships: its code reads a secret production lacks (staging has it). */
export const CANDIDATE_COMMIT: ScratchCommit = {
  message: 'feat(ai): the AI provider key comes from the environment',
  files: { 'package.json': packageJson('2.1.0') },
};

interface AppAtCommit {
  readonly version: string;
  /** The summaries module calls the provider with a zero timeout: requests fail with 500. */
  readonly broken: boolean;
}

/** What a build of the tree serves, from its package.json and summaries module (undefined: not in the tree). */
export function appAt(tree: { packageJson?: string; summaries?: string }): AppAtCommit {
  let version = '0.0.0';
  if (tree.packageJson !== undefined) {
    const parsed = JSON.parse(tree.packageJson) as { version?: unknown };
    if (typeof parsed.version === 'string') version = parsed.version;
  }
  return { version, broken: tree.summaries !== undefined && /timeoutMs:\s*0\b/.test(tree.summaries) };
}

/** Clinical data written before the drill: 20 users, 50 notes. */
export const SEED_CLINICAL_DATA = [
  `INSERT INTO "User" (email, name) SELECT 'doctor' || g || '@dr-amal.test', ` +
    `'Doctor ' || g FROM generate_series(1, 20) g`,
  `INSERT INTO "ClinicalNote" ("userId", body) SELECT 1 + g % 20, 'Clinical note ' || g FROM generate_series(1, 50) g`,
];

/** What doctors wrote with the AI features while 2.0.0-beta served: the data a schema rollback must not lose. */
export const AI_WRITES = [
  `UPDATE "ClinicalNote" SET "aiSummary" = 'AI summary of note ' || id, "aiGenerated" = (id % 2 = 0) WHERE id <= 30`,
  `INSERT INTO "AiRun" ("noteId", output) SELECT id, jsonb_build_object('note', id, ` +
    `'tokens', 100 + id) FROM "ClinicalNote" WHERE id <= 10`,
];

/** The values the bad migration's rollback drops, in a stable order, to prove they came back. */
export const AI_DATA_SNAPSHOT = `SELECT json_build_object(
  'notes', (SELECT json_agg(json_build_object('id', id, 'aiSummary', "aiSummary", 'aiGenerated', "aiGenerated") ORDER BY
    id) FROM "ClinicalNote"),
  'runs', (SELECT json_agg(json_build_object('id', id, 'noteId', "noteId", 'output', output) ORDER BY id) FROM "AiRun")
)::text AS snapshot`;
