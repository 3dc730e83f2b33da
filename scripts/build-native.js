#!/usr/bin/env node
// Builds the native addon (build/Release/wiregrad_native.node) during `npm install`.
// It never makes the install fail: without the addon wiregrad runs on its TypeScript backend.
//
//   node scripts/build-native.js [--dest DIR] [--sanitize address,undefined] [--strict]
//
// --dest      stage the sources in DIR and build there (variant builds beside the main one)
// --sanitize  compile with these -fsanitize= checks
// --strict    exit 1 when the addon cannot be built (for scripts, never for installs)
// Environment:
//   WIREGRAD_NO_OPENBLAS=1   build as if OpenBLAS were absent (own OpenMP kernel)
//   WIREGRAD_MARCH=native    add -march=native (faster own loops; the binary may not run on other CPUs)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const strict = args.includes('--strict');
const dest = path.resolve(option('--dest') ?? root);
const sanitize = option('--sanitize') ?? '';
const march = process.env.WIREGRAD_MARCH ?? '';

function say(line) {
  console.error(`wiregrad: ${line}`);
}

function nodeGyp() {
  const tried = [];
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not a dependency of ours; npm's bundled copy above is the usual one
  }
  for (const c of candidates) {
    if (!c) continue;
    tried.push(c);
    if (fs.existsSync(c)) return { found: c, tried };
  }
  return { found: null, tried };
}

/** The OpenMP build of OpenBLAS, by explicit path: the pthread build may be the system default. */
function openblas() {
  const machine = spawnSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).stdout?.trim() || 'x86_64-linux-gnu';
  const lib = `/usr/lib/${machine}/openblas-openmp`;
  const include = `/usr/include/${machine}/openblas-openmp`;
  const looked = [`${lib}/libopenblas.so.0`, `${include}/cblas.h`];
  if (process.env.WIREGRAD_NO_OPENBLAS === '1') return { lib: '', include: '', why: 'WIREGRAD_NO_OPENBLAS=1 set' };
  const missing = looked.filter((p) => !fs.existsSync(p));
  if (missing.length > 0) return { lib: '', include: '', why: `not found: ${missing.join(', ')} (apt install libopenblas-openmp-dev)` };
  return { lib, include, why: '' };
}

function stage() {
  if (dest === root) return;
  fs.mkdirSync(path.join(dest, 'native'), { recursive: true });
  fs.copyFileSync(path.join(root, 'binding.gyp'), path.join(dest, 'binding.gyp'));
  for (const f of fs.readdirSync(path.join(root, 'native'))) {
    fs.copyFileSync(path.join(root, 'native', f), path.join(dest, 'native', f));
  }
}

function gyp(gypJs, blas) {
  const napiInclude = path.dirname(require.resolve('node-addon-api/package.json', { paths: [root] }));
  const flags = ['rebuild'];
  const headers = path.resolve(path.dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(headers, 'include/node/node_api.h'))) {
    flags.push(`--nodedir=${headers}`); // the installed headers: no download
  }
  flags.push('--', `-Dnapi_include=${napiInclude}`, `-Dopenblas_lib=${blas.lib}`, `-Dopenblas_include=${blas.include}`,
    `-Dmarch=${march}`, `-Dsanitize=${sanitize}`);
  const r = spawnSync(process.execPath, [gypJs, ...flags], { cwd: dest, encoding: 'utf8' });
  return { ok: r.status === 0, log: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function loads(addon) {
  if (sanitize) return { ok: true, info: null }; // a sanitized addon loads only under LD_PRELOAD
  const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addon)}).info()))`], {
    encoding: 'utf8',
  });
  return r.status === 0 ? { ok: true, info: JSON.parse(r.stdout) } : { ok: false, log: r.stderr };
}

function fail(why) {
  say(`native addon NOT built: ${why}`);
  say('products will run on the pure-TypeScript backend (slower); `wiregrad doctor` explains');
  process.exit(strict ? 1 : 0);
}

function main() {
  const gypJs = nodeGyp();
  if (!gypJs.found) return fail(`node-gyp not found (tried ${gypJs.tried.join(', ')})`);
  stage();
  const addon = path.join(dest, 'build', 'Release', 'wiregrad_native.node');
  const blas = openblas();
  let built = gyp(gypJs.found, blas);
  let kernel = blas.lib ? `OpenBLAS (OpenMP build, ${blas.lib})` : `its own cache-blocked OpenMP kernel (OpenBLAS ${blas.why})`;
  if (built.ok && blas.lib) {
    const check = loads(addon); // linked, but does the OpenBLAS it found load?
    if (!check.ok) built = { ok: false, log: check.log };
  }
  if (!built.ok && blas.lib) {
    say(`building against OpenBLAS failed; retrying with the own kernel:\n${tail(built.log)}`);
    built = gyp(gypJs.found, { lib: '', include: '' });
    kernel = 'its own cache-blocked OpenMP kernel (the OpenBLAS build failed, see above)';
  }
  if (!built.ok) return fail(`node-gyp failed:\n${tail(built.log)}`);
  const check = loads(addon);
  if (!check.ok) return fail(`built ${addon} but it does not load:\n${tail(check.log)}`);
  const extras = [march && `-march=${march}`, sanitize && `-fsanitize=${sanitize}`].filter(Boolean).join(' ');
  say(`built native addon ${path.relative(process.cwd(), addon) || addon} with ${kernel}${extras ? `, ${extras}` : ''}`);
  if (check.info?.blasCore) say(`OpenBLAS ${check.info.blasConfig.trim()} | kernel ${check.info.blasCore} | ${check.info.blasParallel}`);
}

function tail(log) {
  return log.trim().split('\n').slice(-15).map((l) => `  | ${l}`).join('\n');
}

try {
  main();
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
