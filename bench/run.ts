/**
 * npm run bench [name...]: builds, runs every bench/*.bench.ts (or the named
 * ones), prints the figures and writes them to bench/RESULTS.md with the
 * machine and the date. Not part of npm test.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Bench, BenchResult } from './types';

const RESULTS = join(__dirname, 'RESULTS.md');

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return (
    `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ` +
    `${process.version}, ${process.platform}`
  );
}

function section(name: string, results: BenchResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.value} ${r.unit} | ${r.target} | ` +
      `${r.pass ? 'pass' : '**FAIL**'} | ${r.comparison ?? ''} | ${r.method} |`,
  );
  return [
    `## ${name}`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}.`,
    '',
    '| figure | measured | target | verdict | side by side | how |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** Replaces this bench's section in RESULTS.md, keeping the others. */
function record(name: string, text: string): void {
  const current = existsSync(RESULTS)
    ? readFileSync(RESULTS, 'utf8')
    : '# Benchmark results\n\nWritten by `npm run bench`; each section is replaced when its benchmark runs again.\n\n';
  const pattern = new RegExp(`## ${name}\\n[\\s\\S]*?(?=\\n## |$)`);
  const next = pattern.test(current) ? current.replace(pattern, text.trimEnd()) : `${current.trimEnd()}\n\n${text}`;
  writeFileSync(RESULTS, `${next.trimEnd()}\n`);
}

async function main(): Promise<void> {
  execSync('npm run build', { cwd: join(__dirname, '..'), stdio: 'inherit' });
  const wanted = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  let failed = 0;
  for (const file of files) {
    const { bench } = (await import(join(__dirname, file))) as { bench: Bench };
    if (wanted.length && !wanted.includes(bench.name)) continue;
    console.log(`\n== ${bench.name}`);
    const results = await bench.run();
    for (const r of results)
      console.log(
        `${r.pass ? 'pass' : 'FAIL'}  ${r.name}: ${r.value} ${r.unit} (target ` +
          `${r.target})${r.comparison ? `; ${r.comparison}` : ''}`,
      );
    failed += results.filter((r) => !r.pass).length;
    record(bench.name, section(bench.name, results));
  }
  console.log(`\n${failed === 0 ? 'every target met' : `${failed} target(s) missed`}; figures in bench/RESULTS.md`);
  process.exitCode = failed === 0 ? 0 : 1;
}

void main();
