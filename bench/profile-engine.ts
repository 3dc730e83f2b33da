// The engine's per-step overhead on small graphs: W2 LSTM-small (per step) and W5 MLP (per epoch
// of 100 batches), built by bench/small-graphs.ts as the workload scripts build them, timed
// step by step, plus the heap growth and the garbage collections over a run of steps.
//
//   node --expose-gc --import tsx bench/profile-engine.ts [--workload w2|w5] [--steps 3000] [--rounds 3]
//   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/profile-engine.ts --workload w2
//   npx tsx bench/cpuprofile-summary.ts /tmp/prof/<file>.cpuprofile
//
// Needs bench/.cache (scripts/bench-data.py) for the shared initial weights and data.
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { w2Training, w5Training } from './small-graphs';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const which = argValue('workload', 'w2');
const steps = Number(argValue('steps', which === 'w2' ? '3000' : '50'));
const rounds = Number(argValue('rounds', '3'));
const workload = which === 'w2' ? w2Training() : w5Training();
const first = [0, 1, 2].map((it) => workload.run(it)); // also the warm-up's first steps
for (let it = 3; it < (which === 'w2' ? 200 : 3); it++) workload.run(it);

let gcCount = 0;
let gcMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcCount++;
    gcMs += e.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });

const medians: number[] = [];
let it = 1000;
for (let r = 0; r < rounds; r++) {
  const times = new Array<number>(steps);
  for (let s = 0; s < steps; s++) {
    const t0 = process.hrtime.bigint();
    workload.run(it++);
    times[s] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  medians.push(median(times));
}

// heap growth over 1000 units of work, from one forced collection to the next
const gc = (globalThis as { gc?: () => void }).gc;
let heap = 'run with --expose-gc for the heap growth';
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let s = 0; s < 1000; s++) workload.run(it++);
  gc();
  heap = `${((process.memoryUsage().heapUsed - before) / 1024).toFixed(1)} KiB over 1000 ${workload.unit}s`;
}
// the observer's callbacks come on a later turn of the event loop
setTimeout(() => {
  observer.disconnect();
  const unitsObserved = rounds * steps + (gc ? 1000 : 0);
  const scale_ = workload.unit === 'epoch' ? 1000 : 1;
  const u = workload.unit === 'epoch' ? 'ms' : 'µs';
  console.log(
    `${which}: median ${medians.map((m) => (m / scale_).toFixed(workload.unit === 'epoch' ? 3 : 1)).join(' / ')} ${u} per ${workload.unit}` +
      ` (${rounds} rounds × ${steps}); first losses ${first.map((v) => v.toPrecision(10)).join(' ')}`,
  );
  console.log(`  gc: ${gcCount} collections (${gcMs.toFixed(1)} ms) over ${unitsObserved} ${workload.unit}s${gc ? ', 2 of them forced' : ''}; heap ${heap}; load ${loadavg()}`);
}, 100);
