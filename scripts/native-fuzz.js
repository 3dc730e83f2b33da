#!/usr/bin/env node
// Argument fuzz of the addon: thousands of bad calls, each of which must throw a TypeError or
// RangeError with code E_NATIVE_ARG whose message names the argument, and leave C untouched.
// Runs in its own process so that a crash shows up as an exit code, not as a dead test runner.
//   node scripts/native-fuzz.js [calls] [addon path]     prints one JSON line; exit 0 when all rejected
'use strict';
const path = require('path');

const calls = Number(process.argv[2] ?? 5000);
const addonPath = path.resolve(process.argv[3] ?? process.env.WIREGRAD_NATIVE_ADDON ?? path.join(__dirname, '..', 'build', 'Release', 'wiregrad_native.node'));
const addon = require(addonPath);

// A small seeded generator (xorshift32): the same bad calls every run.
let state = 0x9e3779b9;
const rand = () => ((state ^= state << 13), (state ^= state >>> 17), (state ^= state << 5), (state >>> 0) / 2 ** 32);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

// A call is built as the sixteen values of GEMM in their usual order, then goes across as the
// addon takes it: (a, b, c, scalars) with the thirteen numbers packed as float64 in an ArrayBuffer.
const NAMES = ['transA', 'transB', 'm', 'n', 'k', 'alpha', 'a', 'aOffset', 'lda', 'b', 'bOffset', 'ldb', 'beta', 'c', 'cOffset', 'ldc'];
const SCALAR_SLOTS = [0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 12, 14, 15];
const badFlag = [2, -1, 0.5, NaN, Infinity, -0.000001];
const notScalars = [new Float64Array(13), new Float32Array(26), new Array(13).fill(1), new DataView(new ArrayBuffer(104)), new SharedArrayBuffer(104), null, undefined, 13, '13', {}];
const badDimension = [0, -1, 2.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, -0.5, 1e300];
const badOffset = [-1, 0.5, NaN, Infinity, 2 ** 53, -(2 ** 60)];
const SENTINEL = 7;

function validCall(fn) {
  const Arr = fn === 'sgemm' ? Float32Array : Float64Array;
  const transA = rand() < 0.5, transB = rand() < 0.5;
  const m = int(1, 9), n = int(1, 9), k = int(1, 9);
  const lda = (transA ? m : k) + int(0, 2), ldb = (transB ? k : n) + int(0, 2), ldc = n + int(0, 2);
  const aOff = int(0, 3), bOff = int(0, 3), cOff = int(0, 3);
  const a = new Arr(aOff + (transA ? k : m) * lda).fill(1);
  const b = new Arr(bOff + (transB ? n : k) * ldb).fill(1);
  const c = new Arr(cOff + m * ldc).fill(SENTINEL);
  return [transA, transB, m, n, k, 1, a, aOff, lda, b, bOff, ldb, 0, c, cOff, ldc];
}

/** Rows and columns of operand `i` (6 a, 9 b, 13 c) as it is stored. */
function stored(args, i) {
  const [transA, transB, m, n, k] = args;
  if (i === 6) return transA ? [k, m] : [m, k];
  if (i === 9) return transB ? [n, k] : [k, n];
  return [m, n];
}

/** Breaks one argument (or the count); returns the argument the error must name, or null for the count. */
function breakCall(fn, args) {
  const other = fn === 'sgemm' ? Float64Array : Float32Array;
  const kind = int(0, 9);
  if (kind === 0) return { names: null, type: 'TypeError', count: pick([0, 1, 3, 5, 13, 16]) };
  if (kind === 1) {
    const i = pick([0, 1]);
    args[i] = pick(badFlag);
    return { names: [NAMES[i]], type: 'RangeError' };
  }
  if (kind === 2) {
    // the packed numbers themselves malformed: not an ArrayBuffer, or not 13 float64 in it
    if (rand() < 0.5) return { names: ['scalars'], type: 'TypeError', scalars: pick(notScalars) };
    return { names: ['scalars'], type: 'RangeError', scalars: new ArrayBuffer(pick([0, 8, 52, 96, 103, 105, 112, 208])) };
  }
  if (kind === 3) {
    const i = pick([2, 3, 4, 8, 11, 15]);
    args[i] = pick(badDimension);
    return { names: [NAMES[i]], type: 'RangeError' };
  }
  if (kind === 4) {
    const i = pick([7, 10, 14]);
    args[i] = pick(badOffset);
    return { names: [NAMES[i]], type: 'RangeError' };
  }
  if (kind === 5) {
    const i = pick([6, 9, 13]);
    args[i] = pick([new other(args[i].length), Array.from(args[i]), new Int32Array(args[i].length), args[i].buffer, new DataView(args[i].buffer), null, 0]);
    return { names: [NAMES[i]], type: 'TypeError' };
  }
  if (kind === 6) {
    // too short by one to three elements: the offset pushed forward, or the array cut
    const i = pick([6, 9, 13]);
    const [rows, cols] = stored(args, i);
    const span = (rows - 1) * args[i + 2] + cols;
    const short = int(1, 3);
    if (rand() < 0.5) args[i + 1] = args[i].length - span + short;
    else args[i] = args[i].subarray(0, Math.max(0, args[i + 1] + span - short));
    return { names: [NAMES[i]], type: 'RangeError' };
  }
  if (kind === 7) {
    // a leading dimension below the columns as stored
    const i = pick([8, 11, 15]);
    const [, cols] = stored(args, i - 2);
    if (cols < 2) {
      args[i] = 0;
      return { names: [NAMES[i]], type: 'RangeError' };
    }
    args[i] = int(1, cols - 1);
    return { names: [NAMES[i]], type: 'RangeError' };
  }
  if (kind === 8) {
    // a dimension grown past what the arrays hold: one of the arrays is then too short
    const i = pick([2, 3, 4]);
    args[i] += int(20, 1000);
    return { names: ['a', 'b', 'c', 'lda', 'ldb', 'ldc'], type: 'RangeError' };
  }
  // C starting inside the span of an input in the same memory
  const i = pick([6, 9]);
  const [rows, cols] = stored(args, i);
  const shared = new (fn === 'sgemm' ? Float32Array : Float64Array)(4096).fill(SENTINEL);
  args[i] = shared;
  args[i + 1] = 0;
  args[13] = shared.subarray(int(0, (rows - 1) * args[i + 2] + cols - 1));
  args[14] = 0;
  return { names: ['c'], type: 'RangeError' };
}

const failures = [];
const seen = {};
for (let t = 0; t < calls; t++) {
  const fn = pick(['sgemm', 'dgemm']);
  const args = validCall(fn);
  const c = args[13];
  const expected = breakCall(fn, args);
  const packed = 'scalars' in expected ? expected.scalars : Float64Array.from(SCALAR_SLOTS, (i) => Number(args[i])).buffer;
  const callArgs = [args[6], args[9], args[13], packed];
  if (expected.count !== undefined) {
    while (callArgs.length > expected.count) callArgs.pop();
    while (callArgs.length < expected.count) callArgs.push(1);
  }
  const cBefore = c instanceof Float32Array || c instanceof Float64Array ? c.slice() : null;
  let error = null;
  try {
    addon[fn](...callArgs);
  } catch (e) {
    error = e;
  }
  const describe = () => `${fn} #${t}: ${error ? `${error.name}: ${error.message}` : 'accepted'}`;
  if (!error) {
    failures.push(`${describe()} (expected ${expected.type} naming ${expected.names ?? 'the count'})`);
    continue;
  }
  const named = expected.names === null
    ? error.message.startsWith(`${fn}: expected 4 arguments`)
    : expected.names.some((n) => error.message.startsWith(`${fn}: ${n} `) || error.message.startsWith(`${fn}: ${n}:`) || (n === 'c' && error.message.startsWith(`${fn}: c overlaps`)));
  const typeOk = error.name === expected.type && error.code === 'E_NATIVE_ARG';
  const untouched = cBefore === null || cBefore.every((v, i) => Object.is(v, c[i]));
  if (!named || !typeOk || !untouched) failures.push(`${describe()} (expected ${expected.type} naming ${expected.names ?? 'the count'}${untouched ? '' : '; C was written'})`);
  seen[error.name] = (seen[error.name] ?? 0) + 1;
}

console.log(JSON.stringify({ calls, rejected: calls - failures.length, byType: seen, failures: failures.slice(0, 20) }));
process.exitCode = failures.length === 0 ? 0 : 1;
