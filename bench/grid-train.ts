// Trains grid-fmnist on Fashion-MNIST and records test accuracy against epochs, training
// seconds per epoch and the pictures of the trained grid:
//
//   npx tsx bench/grid-train.ts --height 128 --width 16 --epochs 10 --lr 1e-3 [--eval-every 0] [--threads 1]
//
// Writes bench/results/grid.train-<h>x<w>.json, grid.class-means-<h>x<w>.png (mean activation of
// every grid neuron per class, test set), grid.class-deviations-<h>x<w>.png (minus the mean over
// classes), grid.weights-<h>x<w>.png and grid.biases-<h>x<w>.png,
// then rebuilds bench/results/grid.train.md from every grid.train-*.json there.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveBackend } from '../src/backend/auto';
import { setThreads } from '../src/backend/native';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../src/data/fashion-mnist';
import { gridPicturePng } from '../src/grid/pictures';
import { trainGridFmnist } from '../src/models/grid-fmnist';
import { machine } from './machine';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const height = flag('height', 128);
const width = flag('width', 16);
const epochs = flag('epochs', 10);
const lr = flag('lr', 1e-3);
const evalEvery = flag('eval-every', 0);
const threads = flag('threads', 1);
const out = path.join(__dirname, 'results');
const tag = `${height}x${width}`;

setThreads(threads);
const backend = resolveBackend();
const loadBefore = os.loadavg()[0];
const started = Date.now();
const r = trainGridFmnist({ height, width, epochs, lr, evalEvery, batch: 256 }, (p) => {
  if (p.step % 20 === 0 || p.step === p.steps) console.error(`${tag} step ${p.step}/${p.steps} epoch ${p.epoch} loss ${p.loss.toFixed(4)}`);
});
for (const e of r.evals) console.error(`${tag} epoch ${e.epoch.toFixed(2)}: test accuracy ${e.accuracy.toFixed(4)}, loss ${e.loss.toFixed(4)}`);

fs.mkdirSync(out, { recursive: true });
const test = loadFashionMnist({ dtype: 'float32' }).test;
const means = r.model.classMeanActivations(test);
const overall = means[0].map((_, k) => means.reduce((s, m) => s + m[k], 0) / means.length);
const cell = height <= 128 ? 3 : 1;
const picture = { rows: height, cols: width + 1, perRow: height <= 128 ? 10 : 5, cell };
const classPanels = (values: (c: number) => ArrayLike<number>) => FASHION_MNIST_CLASSES.map((title, c) => ({ title, values: values(c) }));
const classMeans = gridPicturePng(classPanels((c) => means[c]), { ...picture, caption: `${tag} grid: mean activation per class (test set), columns 0…${width}` });
fs.writeFileSync(path.join(out, `grid.class-means-${tag}.png`), classMeans.png);
const classDeviations = gridPicturePng(classPanels((c) => means[c].map((v, k) => v - overall[k])), {
  ...picture,
  caption: `${tag} grid: class mean minus the mean over classes`,
});
fs.writeFileSync(path.join(out, `grid.class-deviations-${tag}.png`), classDeviations.png);
const paramPicture = { rows: height, cols: width, perRow: 1, cell: height <= 128 ? 6 : 2 };
const weights = gridPicturePng([{ title: 'W[j, i]', values: r.model.grid.weights.value.data }], {
  ...paramPicture,
  caption: `${tag} grid: trained W (weight of neuron i in column j)`,
});
fs.writeFileSync(path.join(out, `grid.weights-${tag}.png`), weights.png);
const biases = gridPicturePng([{ title: 'B[j, i]', values: r.model.grid.biases.value.data }], {
  ...paramPicture,
  caption: `${tag} grid: trained B (bias of neuron i in column j+1)`,
});
fs.writeFileSync(path.join(out, `grid.biases-${tag}.png`), biases.png);

const record = {
  grid: tag,
  options: r.model.options,
  data: r.source,
  threads,
  backend: backend.reason,
  machine: machine(),
  loadavg1AtStart: loadBefore,
  wallMinutes: (Date.now() - started) / 60000,
  stepsTrained: r.history.length,
  stepsPerEpoch: Math.floor(60000 / 256),
  epochSeconds: r.epochSeconds,
  secondsPerEpoch: r.secondsPerEpoch,
  secondsPerEpochExtrapolated: r.epochSeconds.length === 0,
  evals: r.evals,
  pictures: { classMeansScale: classMeans.scale, classDeviationsScale: classDeviations.scale, weightsScale: weights.scale, biasesScale: biases.scale },
  lossPerStep: r.history.map((h) => Math.round(h.loss * 1e5) / 1e5),
};
fs.writeFileSync(path.join(out, `grid.train-${tag}.json`), JSON.stringify(record, null, 1) + '\n');

// the markdown summary of every recorded run
const runs = fs
  .readdirSync(out)
  .filter((f) => /^grid\.train-\d+x\d+\.json$/.test(f))
  .map((f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as typeof record)
  .sort((a, b) => a.options.height * a.options.width - b.options.height * b.options.width);
const lines = [
  '# NeuralGrid on Fashion-MNIST: test accuracy against epochs',
  '',
  'Written by `bench/grid-train.ts`. Adam, batch 256 (the last partial batch of each epoch dropped: 234 steps per epoch), sin, float32, fused GridStep nodes run by the native kernel; test accuracy on all 10000 test images.',
  'Seconds per epoch count training steps only (evaluations excluded); this machine is shared (the 1-minute load average at the start is given), so they are upper bounds of what it does alone.',
  '',
];
for (const run of runs) {
  const o = run.options;
  lines.push(
    `## ${o.height}×${o.width} grid, lr ${o.lr}`,
    '',
    `${run.stepsTrained} steps (${(run.stepsTrained / run.stepsPerEpoch).toFixed(2)} epochs), ${run.threads} thread(s), data: ${run.data}, load average at start ${run.loadavg1AtStart.toFixed(1)}.`,
    `Training seconds per epoch: ${run.secondsPerEpoch.toFixed(1)}${run.secondsPerEpochExtrapolated ? ' (extrapolated from the steps taken: no epoch completed)' : ` (mean over ${run.epochSeconds.length} epochs: ${run.epochSeconds.map((s) => s.toFixed(1)).join(', ')})`}.`,
    '',
    '| Epochs | Step | Test accuracy | Test loss |',
    '|--:|--:|--:|--:|',
    ...run.evals.map((e) => `| ${e.epoch.toFixed(2)} | ${e.step} | ${(100 * e.accuracy).toFixed(2)} % | ${e.loss.toFixed(4)} |`),
    '',
    `Pictures: \`grid.class-means-${run.grid}.png\` (mean activation of every grid neuron per class on the test set), \`grid.class-deviations-${run.grid}.png\` (each class mean minus the mean over classes), \`grid.weights-${run.grid}.png\` and \`grid.biases-${run.grid}.png\` (trained W and B).`,
    '',
  );
}
fs.writeFileSync(path.join(out, 'grid.train.md'), lines.join('\n'));
console.log(lines.join('\n'));
