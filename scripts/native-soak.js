#!/usr/bin/env node
// Soak: many GEMM calls at 64×64 through the addon (sgemm and dgemm alternating, every transpose
// pair, with a rejected bad call every 100), then the growth of resident memory.
//   node --expose-gc scripts/native-soak.js [calls] [limitMB]    one JSON line; exit 1 past the limit
'use strict';
const path = require('path');

const calls = Number(process.argv[2] ?? 100000);
const limitMB = Number(process.argv[3] ?? 5);
const addon = require(path.resolve(process.env.WIREGRAD_NATIVE_ADDON ?? path.join(__dirname, '..', 'build', 'Release', 'wiregrad_native.node')));
addon.setThreads(Number(process.env.WIREGRAD_THREADS ?? 1));

const n = 64;
const make = (Arr) => ({ a: new Arr(n * n).fill(0.5), b: new Arr(n * n).fill(0.25), c: new Arr(n * n) });
const f32 = make(Float32Array), f64 = make(Float64Array);
const gc = global.gc ?? (() => {});

function call(i) {
  const { a, b, c } = i % 2 === 0 ? f32 : f64;
  const fn = i % 2 === 0 ? addon.sgemm : addon.dgemm;
  // scalars: transA, transB, m, n, k, alpha, aOffset, lda, bOffset, ldb, beta, cOffset, ldc
  fn(a, b, c, Float64Array.of((i >> 1) % 2, (i >> 2) % 2, n, n, n, 1, 0, n, 0, n, 0, 0, n).buffer);
  if (i % 100 === 99) {
    try {
      fn(a, b, c, Float64Array.of(0, 0, n, n, n, 1, 1, n, 0, n, 0, 0, n).buffer); // a too short from offset 1
    } catch {
      // rejected, as it must be: the point is that the rejection path leaks nothing either
    }
  }
}

const warmup = Math.min(2000, calls);
for (let i = 0; i < warmup; i++) call(i);
gc();
const rssStart = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
for (let i = 0; i < calls; i++) call(i);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
gc();
const rssEnd = process.memoryUsage().rss;
const growthMB = (rssEnd - rssStart) / 2 ** 20;
// every product is 64 terms of 0.5·0.25, so every C element is exactly 8
const correct = f32.c.every((v) => v === 8) && f64.c.every((v) => v === 8);
console.log(JSON.stringify({ calls, size: n, seconds: +seconds.toFixed(2), rssStartMB: +(rssStart / 2 ** 20).toFixed(1), rssEndMB: +(rssEnd / 2 ** 20).toFixed(1), growthMB: +growthMB.toFixed(2), limitMB, correct }));
process.exitCode = growthMB <= limitMB && correct ? 0 : 1;
