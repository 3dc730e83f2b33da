// W4 VAE on Fashion-MNIST through wiregrad: the Vae block (784-400-20-400-784), loss
// (BCE_sum + KL_sum) / batch, Adam lr 1e-3, batch 128 (the last batch 96), float32, one epoch in
// the shared shuffled order with the shared noise ε. The graph is built once; a step is
// reset → feed → forward → backward → update.
import * as path from 'node:path';
import { FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES, Graph, loadImages, Matrix, Rng } from '../src';
import type { FeedForward } from '../src/blocks/feedforward';
import { Vae } from '../src/blocks/vae';
import { Adam } from '../src/optim/adam';
import { args, emit, now, stepsBegin, stepsEnd, tensor } from './harness';
import { cachedMatrix } from './cached';
import { wiregradInfo } from './wiregrad-info';

const N = 60000;
const BATCH = 128;
const STEPS = Math.ceil(N / BATCH); // 469, the last one 96 images

const a = args();
const t0 = now();
const images = loadImages(path.join(FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES.trainImages), { dtype: 'float32' });
const perm = tensor('w4.perm').data;
const eps = tensor('w4.eps').data;
const batches: { x: Matrix; eps: Matrix }[] = [];
for (let s = 0; s < N && batches.length < Math.max(a.steps, a.warmup); s += BATCH) {
  const n = Math.min(BATCH, N - s);
  const x = new Matrix(n, 784, 'float32');
  for (let r = 0; r < n; r++) x.data.set(images.data.subarray(perm[s + r] * 784, (perm[s + r] + 1) * 784), r * 784);
  batches.push({ x, eps: new Matrix(n, 20, 'float32', Float32Array.from(eps.subarray(s * 20, (s + n) * 20))) });
}
const setup = now() - t0;

const start = now();
const g = new Graph({ dtype: 'float32' });
const vae = new Vae(g, 'vae', { input: 784, encoder: [400], latent: 20, decoder: [400] }, new Rng(0));
const full = vae.training(BATCH, 'train');
const last = vae.training(N - (STEPS - 1) * BATCH, 'last');
const layers: [FeedForward, string][] = [
  [vae.encoderLayers[0], 'enc1'], [vae.muHead, 'mu'], [vae.logvarHead, 'logvar'], [vae.decoderLayers[0], 'dec1'], [vae.output, 'out'],
];
const initial = layers.map(([layer, name]) => [
  cachedMatrix(`w4.${name}.W`, layer.inputSize, layer.outputSize, 'float32'),
  cachedMatrix(`w4.${name}.b`, 1, layer.outputSize, 'float32'),
]);

/** Runs `count` steps from the shared initial weights with a fresh Adam. */
function run(count: number): { times: number[]; epoch: number; total: number; losses: number[] } {
  layers.forEach(([layer], k) => {
    layer.weight.assign(initial[k][0]);
    layer.bias!.assign(initial[k][1]);
  });
  const optimizer = new Adam(g.parameters(), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  const times: number[] = [];
  const losses: number[] = [];
  let total = 0;
  const begin = now();
  for (const batch of batches.slice(0, count)) {
    const s0 = now();
    const net = batch.x.rows === BATCH ? full : last;
    g.reset();
    net.x.feed(batch.x);
    net.eps.feed(batch.eps);
    const value = g.forward(net.loss).data[0];
    g.backward(net.loss);
    optimizer.step();
    total += value * batch.x.rows;
    times.push(now() - s0);
    if (losses.length < 5) losses.push(value);
  }
  return { times, epoch: now() - begin, total, losses };
}

stepsBegin();
run(a.warmup); // warm-up; the timed run starts again from the shared init
const built = now() - start;
const { times, epoch, total, losses } = run(a.steps);
stepsEnd();
const complete = a.steps === STEPS;
emit({
  system: 'wiregrad', ...wiregradInfo(), workload: 'w4', dtype: 'float32', threads: a.threads, unit: 'step',
  times, setup, built, epoch: complete ? epoch : null, check: { losses, epoch_loss: complete ? total / N : null },
});
