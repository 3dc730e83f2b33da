// NeuralGrid: time per Fashion-MNIST epoch of the training step (forward, backward, Adam) for
// each implementation, the table of the NeuralGrid write-up measured on this machine in one run.
//
//   npm run bench:grid [-- --height 128 --width 16 --seconds 2 --rounds 3 --threads 1]
//
// Every row times whole training steps on real batches for `seconds` after two warm-up steps
// and extrapolates to an epoch of 60000 images (60000 / batch steps); rounds interleave the
// rows (order rotated each round) and the table gives the median, min and max over rounds.
// Writes bench/results/grid.json and grid.md (grid-<h>x<w>.json/.md for another grid). Grids of
// more than 4096 neurons leave the loop row out (about seven nodes per neuron: 460 000 nodes for
// 512×128) and give speed-ups over the composed kinds at batch 1 instead.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NeuralGrid, GridImplementation } from '../src/blocks/grid';
import { resolveBackend } from '../src/backend/auto';
import { setThreads } from '../src/backend/native';
import { loadFashionMnist } from '../src/data/fashion-mnist';
import { Graph } from '../src/graph/graph';
import type { Node } from '../src/graph/node';
import { softmaxCrossEntropy } from '../src/losses/softmax-cross-entropy';
import { optimizationStep } from '../src/models/train';
import { Adam } from '../src/optim/adam';
import { Matrix } from '../src/tensor/matrix';
import { Rng } from '../src/tensor/rng';
import { busyCores, machine } from './machine';

const EPOCH = 60000;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const height = flag('height', 128);
const width = flag('width', 16);
const seconds = flag('seconds', 2);
const rounds = flag('rounds', 3);
const threads = flag('threads', 1);

interface Row {
  label: string;
  implementation: GridImplementation | 'torch';
  batch: number;
  /** Seconds per epoch, one per round. */
  epochs: number[];
  steps: number[];
  /** Cores busy with other processes just before each round's measurement. */
  othersCores: number[];
}

const withLoop = height * width <= 4096;
const allRows: Row[] = [
  { label: 'Loop (per-neuron nodes, batch 1)', implementation: 'loop', batch: 1 },
  { label: 'Composed kinds (batch 1)', implementation: 'composed', batch: 1 },
  { label: 'Composed kinds (batch 16)', implementation: 'composed', batch: 16 },
  { label: 'Composed kinds (batch 32)', implementation: 'composed', batch: 32 },
  { label: 'Composed kinds (batch 64)', implementation: 'composed', batch: 64 },
  { label: 'Fused GridStep, native kernel (batch 64)', implementation: 'fused', batch: 64 },
  { label: 'Fused GridStep, native kernel (batch 256)', implementation: 'fused', batch: 256 },
  { label: 'PyTorch CPU unfold (batch 64)', implementation: 'torch', batch: 64 },
  { label: 'PyTorch CPU unfold (batch 256)', implementation: 'torch', batch: 256 },
].map((r) => ({ ...r, implementation: r.implementation as Row['implementation'], epochs: [], steps: [], othersCores: [] }));
const rows = allRows.filter((r) => withLoop || r.implementation !== 'loop');

setThreads(threads);
const backend = resolveBackend();
const data = loadFashionMnist({ dtype: 'float32' });
if (data.source === 'fixture') console.error('warning: the system Fashion-MNIST is missing; timing on the shipped subset');

/** One wiregrad training setup: its graph built once, then stepped on consecutive batches. */
function setup(implementation: GridImplementation, batch: number): () => void {
  const g = new Graph({ dtype: 'float32' });
  const grid = new NeuralGrid(g, 'grid', 784, 10, new Rng(1), { height, width, implementation });
  const x = g.input('x', batch, 784);
  const labels = g.input('labels', batch, 1);
  const loss: Node = softmaxCrossEntropy(grid.apply(x), labels);
  const optimizer = new Adam(grid.parameters, { lr: 1e-3 });
  const bx = new Matrix(batch, 784, 'float32');
  const by = new Matrix(batch, 1, 'float32');
  const n = data.train.labels.length;
  let next = 0;
  return () => {
    for (let r = 0; r < batch; r++, next = (next + 1) % n) {
      bx.data.set(data.train.images.data.subarray(next * 784, (next + 1) * 784), r * 784);
      by.data[r] = data.train.labels[next];
    }
    x.feed(bx);
    labels.feed(by);
    optimizationStep(loss, optimizer);
  };
}

function timeSteps(step: () => void): { steps: number; seconds: number } {
  step();
  step();
  const start = process.hrtime.bigint();
  let steps = 0;
  let elapsed = 0;
  while (steps < 3 || elapsed < seconds) {
    step();
    steps++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { steps, seconds: elapsed };
}

const steppers = new Map<Row, () => void>();
for (const row of rows) if (row.implementation !== 'torch') steppers.set(row, setup(row.implementation, row.batch));

const torchRows = rows.filter((r) => r.implementation === 'torch');
function runTorch(): void {
  const script = path.join(__dirname, 'grid_torch.py');
  const args = [script, '--height', String(height), '--width', String(width), '--batches', torchRows.map((r) => r.batch).join(','), '--seconds', String(seconds), '--threads', String(threads)];
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  const others = busyCores(0.5);
  const p = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env });
  if (p.status !== 0) throw new Error(`PyTorch peer failed: ${p.stderr}`);
  const result = JSON.parse(p.stdout) as { runs: Record<string, { steps: number; seconds: number }> };
  for (const row of torchRows) {
    const run = result.runs[String(row.batch)];
    row.epochs.push((run.seconds / run.steps) * (EPOCH / row.batch));
    row.steps.push(run.steps);
    row.othersCores.push(others);
  }
}

// the rows in a rotated order each round; PyTorch's rows run together, as one system
const systems: (Row | 'torch')[] = [...rows.filter((r) => r.implementation !== 'torch'), 'torch'];
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < systems.length; k++) {
    const s = systems[(k + round) % systems.length];
    if (s === 'torch') {
      runTorch();
      console.error(`round ${round + 1}: PyTorch ${torchRows.map((r) => `${r.epochs[round].toFixed(1)} s`).join(', ')}`);
      continue;
    }
    const others = busyCores(0.5);
    const t = timeSteps(steppers.get(s)!);
    s.epochs.push((t.seconds / t.steps) * (EPOCH / s.batch));
    s.steps.push(t.steps);
    s.othersCores.push(others);
    console.error(`round ${round + 1}: ${s.label}: ${t.steps} steps in ${t.seconds.toFixed(2)} s → ${s.epochs[round].toFixed(1)} s per epoch`);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(rows[0].epochs);
const summary = rows.map((r) => ({
  label: r.label,
  implementation: r.implementation,
  batch: r.batch,
  secondsPerEpoch: { median: median(r.epochs), min: Math.min(...r.epochs), max: Math.max(...r.epochs) },
  speedup: base / median(r.epochs),
  timedSteps: r.steps,
  othersCores: r.othersCores.map((c) => Math.round(c * 100) / 100),
}));

const result = {
  workload: `NeuralGrid ${height}×${width} (sin), dense 784→${height} and ${height}→10, softmax cross-entropy, Adam; float32 (PyTorch float32)`,
  protocol: `each row: 2 warm-up steps, then whole training steps for ≥ ${seconds} s (at least 3); seconds per step × ${EPOCH} / batch = seconds per epoch (extrapolated, not a full epoch); ${rounds} rounds, rows interleaved with the order rotated each round; median (min–max) over rounds`,
  threads,
  backend: backend.reason,
  machine: machine(),
  date: new Date().toISOString(),
  speedupOver: rows[0].label,
  rows: summary,
};
const out = path.join(__dirname, 'results');
fs.mkdirSync(out, { recursive: true });
const file = height === 128 && width === 16 ? 'grid' : `grid-${height}x${width}`;
fs.writeFileSync(path.join(out, `${file}.json`), JSON.stringify(result, null, 2) + '\n');

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const hours = (v: number): string => (v >= 3600 ? ` (~${(v / 3600).toFixed(1)} h)` : '');
const md = [
  `# NeuralGrid: time per Fashion-MNIST epoch`,
  '',
  `${result.workload}. ${threads} thread${threads > 1 ? 's' : ''} everywhere (wiregrad's OpenMP and OpenBLAS, torch.set_num_threads). ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}; ${result.date}.`,
  '',
  `Protocol: ${result.protocol}. "Others" is the number of cores other processes kept busy just before each round's measurement: this machine is shared, so absolute times are noisy and the ratios are the robust figures.`,
  '',
  `| Implementation | Time per epoch (s) | min–max | Speed-up over ${withLoop ? 'the loop' : 'composed, batch 1'} | Timed steps per round | Others (cores) |`,
  '|:--|--:|--:|--:|--:|--:|',
  ...summary.map((r) =>
    `| ${r.label} | ${fmt(r.secondsPerEpoch.median)}${hours(r.secondsPerEpoch.median)} | ${fmt(r.secondsPerEpoch.min)}–${fmt(r.secondsPerEpoch.max)} | ${r.label === rows[0].label ? '–' : fmt(r.speedup)} | ${r.timedSteps.join(', ')} | ${r.othersCores.join(', ')} |`,
  ),
  '',
  withLoop ? '' : `No loop row: the per-neuron graph (about seven nodes per neuron) is built for grids of at most 4096 neurons, this one has ${height * width}.`,
  '',
  'The loop row is the per-neuron graph (about seven nodes per neuron, batch 1); composed is one Mul, two shifts (Slice beside a zero column), Adds and the activation per column; fused is one GridStep node per column, run by the addon\'s kernel.',
  '',
].join('\n');
fs.writeFileSync(path.join(out, `${file}.md`), md);
console.log(md);
