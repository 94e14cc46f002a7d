#!/usr/bin/env node
// In a clone (sources and ts-node present) run the TypeScript sources, so a stale dist/ never
// answers; in the Docker image (dist/ only, production dependencies) run the build.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'src', 'cli.ts');
let entry = join(root, 'dist', 'cli.js');
if (existsSync(source)) {
  try {
    require('ts-node').register({ transpileOnly: true, project: join(root, 'tsconfig.json') });
    entry = source;
  } catch {
    // ts-node is a dev dependency: without it, fall back to the build.
  }
}
const { runCli } = require(entry);

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(70);
  },
);
