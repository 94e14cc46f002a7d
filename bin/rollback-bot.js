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
require(entry).main();
