#!/usr/bin/env node
// Runs the built CLI when present (Docker, npm pack), the TypeScript sources otherwise (a clone).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(built)) require('ts-node').register({ transpileOnly: true, project: join(__dirname, '..', 'tsconfig.json') });
const { runCli } = require(existsSync(built) ? built : join(__dirname, '..', 'src', 'cli.ts'));

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
