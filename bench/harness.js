'use strict';
// Shared by the JS sides of the bench (wiregrad's workloads and the TensorFlow.js peer):
// the fixed arrays written by scripts/bench-data.py, the command line, the timer, the result line.
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');

const CACHE = path.join(__dirname, '.cache');
let manifest = null;

const arrays = { float64: Float64Array, float32: Float32Array, int32: Int32Array };

/** The array `name` from bench/.cache as { data, shape } (data copied into a fresh typed array). */
function tensor(name) {
  if (manifest === null) manifest = JSON.parse(fs.readFileSync(path.join(CACHE, 'data.json'), 'utf8')).tensors;
  const t = manifest[name];
  if (!t) throw new RangeError(`bench data: no array '${name}' in ${CACHE}/data.json (run scripts/bench-data.py)`);
  const bytes = fs.readFileSync(path.join(CACHE, t.file));
  const Type = arrays[t.dtype];
  const data = new Type(bytes.byteLength / Type.BYTES_PER_ELEMENT);
  new Uint8Array(data.buffer).set(bytes); // copied: a Buffer's offset in its pool need not be aligned
  return { data, shape: t.shape };
}

/** `--workload w2 --variant cell --threads 1 --steps 2000 --warmup 20` → an object (numbers parsed). */
function args(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['threads', 'steps', 'warmup']) if (k in out) out[k] = Number(out[k]);
  return out;
}

/** Monotonic wall clock in seconds. */
function now() {
  return Number(process.hrtime.bigint()) / 1e9;
}

/**
 * Prints the result as one JSON line (the runner reads the last line), with this process's CPU
 * time, its peak resident memory and the garbage collections counted between stepsBegin and stepsEnd.
 */
function emit(result) {
  const u = process.cpuUsage();
  const memory = { peakRssKiB: process.resourceUsage().maxRSS, gc: gcs };
  process.stdout.write(JSON.stringify({ ...result, cpu: (u.user + u.system) / 1e6, memory }) + '\n');
}

// Garbage collections during the steps, from V8's GC profiler: it records each collection as it
// happens, where a PerformanceObserver would only hear of them on a later turn of the event loop,
// which a synchronous run of steps never reaches.
let gcProfiler = null;
let gcs = null;

let session = null;

/**
 * The steps (warm-up included) begin: garbage collections are counted from here, and with
 * BENCH_CPU_PROFILE=<file> V8's CPU profiler (the one behind node --cpu-prof) starts, so that the
 * profile holds the steps alone, not the module loading, data loading and graph building before them.
 */
function stepsBegin() {
  gcProfiler = new v8.GCProfiler();
  gcProfiler.start();
  if (!process.env.BENCH_CPU_PROFILE) return;
  const inspector = require('node:inspector');
  session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 }); // µs: enough samples in a W2 run of 2000 short steps
  session.post('Profiler.start');
}

/** The steps end: the count stops; a profile is written (the in-process session answers synchronously). */
function stepsEnd() {
  const { statistics } = gcProfiler.stop();
  gcs = { count: statistics.length, ms: statistics.reduce((sum, e) => sum + e.cost, 0) / 1000 }; // cost is in µs
  if (!session) return;
  session.post('Profiler.stop', (err, result) => {
    if (err) throw err;
    fs.writeFileSync(process.env.BENCH_CPU_PROFILE, JSON.stringify(result.profile));
  });
  session.disconnect();
  session = null;
}

module.exports = { tensor, args, now, emit, stepsBegin, stepsEnd };
