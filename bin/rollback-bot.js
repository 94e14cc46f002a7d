#!/usr/bin/env node
// In a clone (sources and dev dependencies present) run the TypeScript sources, so a stale dist/
// never answers; in the Docker image (dist/ only, production dependencies) run the build.
//
// Sources are loaded through sucrase, which strips types file by file in plain JavaScript (no
// native binary, no install script) and keeps line numbers; each file's output is cached under
// node_modules/.cache/rollback-bot by a hash of its path and content, so a later start reads
// JavaScript as the build would. ts-node, which loads the whole TypeScript compiler first, made
// `lint-migrations` in a clone 4x slower than squawk. Type checking stays with `npm run typecheck`.
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'src', 'cli.ts');

function registerSucrase() {
  const version = require('sucrase/package.json').version;
  const cache = join(root, 'node_modules', '.cache', 'rollback-bot');
  let sucrase;
  Module._extensions['.ts'] = (module, filename) => {
    const code = readFileSync(filename, 'utf8');
    const cached = join(cache, `${createHash('sha1').update(`${version}\0${filename}\0${code}`).digest('hex')}.js`);
    let js;
    try {
      js = readFileSync(cached, 'utf8');
    } catch {
      sucrase ??= require('sucrase');
      js = sucrase.transform(code, { transforms: ['imports', 'typescript'], filePath: filename }).code;
      try {
        mkdirSync(cache, { recursive: true });
        const partial = `${cached}.${process.pid}`;
        writeFileSync(partial, js);
        renameSync(partial, cached); // atomic: a parallel start never reads half a file
      } catch {
        // a read-only clone still runs, uncached
      }
    }
    module._compile(js, filename);
  };
}

function registerTypeScript() {
  try {
    registerSucrase();
    return true;
  } catch {
    // A clone installed before sucrase was added: ts-node, slower, does the same.
  }
  try {
    require('ts-node').register({ transpileOnly: true, project: join(root, 'tsconfig.json') });
    return true;
  } catch {
    return false; // dev dependencies absent: run the build.
  }
}

const entry = existsSync(source) && registerTypeScript() ? source : join(root, 'dist', 'cli.js');
require(entry).main();
