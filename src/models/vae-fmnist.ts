import { Vae, VaeArchitecture, VaeTraining } from '../blocks/vae';
import { Batches, sliceRows } from '../data/batches';
import { FASHION_MNIST_PIXELS, FashionMnistSource, loadFashionMnist } from '../data/fashion-mnist';
import { UsageError } from '../errors';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { Adam } from '../optim/adam';
import { DType, Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { checkCount, checkPositive, OnProgress, optimizationStep, TrainOutcome, trainLoop } from './train';

/**
 * vae-fmnist: a variational autoencoder on Fashion-MNIST (the W4 workload): encoder 784-400
 * tanh, μ and log σ² heads 400-20, decoder 20-400 tanh, 400-784 sigmoid, loss
 * (BCE_sum + KL_sum) / batch, Adam. Trains on the full set when the Debian package is
 * installed (or `dataDir` / $WIREGRAD_DATA points at it), on the shipped subset otherwise.
 */
export interface VaeFmnistOptions {
  /** Hidden sizes of the encoder, tanh (default [400]). */
  encoder: readonly number[];
  /** Size of z (default 20). */
  latent: number;
  /** Hidden sizes of the decoder, tanh (default [400]). */
  decoder: readonly number[];
  /** Images per step (default 128). */
  batch: number;
  /** Adam learning rate (default 1e-3; β = 0.9, 0.999, ε = 1e-8). */
  lr: number;
  /** Passes over the training set (default 1); a run takes epochs × batches-per-epoch steps ... */
  epochs: number;
  /** ... but at most this many (default 100, sized for a quick run; 0 = no cap, e.g. a full epoch). */
  maxSteps: number;
  /** Test images over which the held-out loss is measured after training (default 1000; 0 = skip). */
  evalImages: number;
  /** Folder with the four Fashion-MNIST files (default: found, see locateFashionMnist). */
  dataDir?: string;
  /**
   * Seeds the initial weights; the shuffle and the noise ε use their own generators seeded
   * `seed + 1` and `seed + 2`, so changing the data order does not change the initial weights.
   */
  seed: number;
  dtype: DType;
}

export const VAE_FMNIST_DEFAULTS: Readonly<VaeFmnistOptions> = {
  encoder: [400],
  latent: 20,
  decoder: [400],
  batch: 128,
  lr: 1e-3,
  epochs: 1,
  maxSteps: 0, // the whole epoch (469 steps at batch 128), as workload W4 fixes it
  evalImages: 1000,
  seed: 0,
  dtype: 'float32',
};

export interface VaeFmnistResult extends TrainOutcome<VaeFmnist> {
  /** Mean loss per training image over the steps taken: Σ (BCE_sum + KL_sum) / images seen. */
  meanLoss: number;
  /** Mean loss per image over the first `evalImages` test images (one ε draw each); NaN when skipped. */
  heldOutLoss: number;
  /** Which folder the data came from (the full set or the shipped subset). */
  dataSource: FashionMnistSource;
  dataDir: string;
  trainImages: number;
  steps: number;
}

/**
 * The model: one graph with the VAE's parameters, and wirings made on demand (all sharing the
 * parameters): a training wiring per batch size, a prior decoder per sample count and a
 * reconstructor per image count. Build it untrained to load a checkpoint into `graph`.
 */
export class VaeFmnist {
  readonly options: Readonly<VaeFmnistOptions>;
  readonly graph: Graph;
  readonly vae: Vae;
  private readonly trainings = new Map<number, VaeTraining>();
  private readonly samplers = new Map<number, { z: Node; image: Node }>();
  private readonly reconstructors = new Map<number, { x: Node; image: Node }>();

  constructor(options: Partial<VaeFmnistOptions> = {}) {
    const o = { ...VAE_FMNIST_DEFAULTS, ...options };
    for (const k of ['latent', 'batch', 'epochs'] as const) checkCount('vae-fmnist', k, o[k]);
    for (const k of ['maxSteps', 'evalImages'] as const) checkCount('vae-fmnist', k, o[k], true);
    checkPositive('vae-fmnist', 'lr', o.lr);
    this.options = o;
    this.graph = new Graph({ dtype: o.dtype });
    const architecture: VaeArchitecture = { input: FASHION_MNIST_PIXELS, encoder: o.encoder, latent: o.latent, decoder: o.decoder };
    this.vae = new Vae(this.graph, 'vae', architecture, new Rng(o.seed));
  }

  get parameters(): Node[] {
    return this.vae.parameters;
  }

  /** The training wiring for batches of `rows` images (made once per size). */
  training(rows: number): VaeTraining {
    let t = this.trainings.get(rows);
    if (!t) {
      t = this.vae.training(rows, `train${rows}`);
      this.trainings.set(rows, t);
    }
    return t;
  }

  /** `n` images decoded from z ~ N(0, I) drawn from `rng`: n × 784, pixel values in (0, 1). */
  sample(n: number, rng: Rng): Matrix {
    checkCount('vae-fmnist sample', 'n', n);
    let s = this.samplers.get(n);
    if (!s) {
      s = this.vae.decoder(n, `sample${n}`);
      this.samplers.set(n, s);
    }
    const z = new Matrix(n, this.options.latent, this.graph.dtype);
    for (let i = 0; i < z.size; i++) z.data[i] = rng.normal();
    s.z.feed(z);
    return this.graph.forward(s.image).clone();
  }

  /** The mean reconstructions (decoded at z = μ) of `images` (n × 784): n × 784. */
  reconstruct(images: Matrix): Matrix {
    if (images.cols !== FASHION_MNIST_PIXELS) throw new UsageError(`vae-fmnist reconstruct: images must have ${FASHION_MNIST_PIXELS} columns, got ${images.cols}`);
    let r = this.reconstructors.get(images.rows);
    if (!r) {
      r = this.vae.reconstructor(images.rows, `reconstruct${images.rows}`);
      this.reconstructors.set(images.rows, r);
    }
    r.x.feed(images.dtype === this.graph.dtype ? images : images.to(this.graph.dtype));
    return this.graph.forward(r.image).clone();
  }

  /** Mean loss per image over `images`, in batches of the training size, ε drawn from `rng`. */
  evaluate(images: Matrix, rng: Rng): number {
    const batches = new Batches(images, new Matrix(images.rows, 1, images.dtype), Math.min(this.options.batch, images.rows));
    let total = 0;
    for (let i = 0; i < batches.count; i++) {
      const b = batches.get(i);
      const t = this.training(b.size);
      t.x.feed(b.x);
      t.feedNoise(rng);
      total += this.graph.forward(t.loss).data[0] * b.size;
    }
    return total / images.rows;
  }
}

/**
 * Trains vae-fmnist with Adam over shuffled batches (a new permutation every epoch; the last
 * batch of an epoch may be smaller and has its own wiring over the same parameters).
 */
export function trainVaeFmnist(options: Partial<VaeFmnistOptions> = {}, onProgress?: OnProgress): VaeFmnistResult {
  const model = new VaeFmnist(options);
  const o = model.options;
  const data = loadFashionMnist({ dir: o.dataDir, dtype: o.dtype });
  const images = data.train.images;
  const labels = new Matrix(images.rows, 1, o.dtype);
  labels.data.set(data.train.labels);
  const batches = new Batches(images, labels, Math.min(o.batch, images.rows));
  const total = o.epochs * batches.count;
  const steps = o.maxSteps > 0 ? Math.min(o.maxSteps, total) : total;
  const shuffleRng = new Rng(o.seed + 1);
  const noiseRng = new Rng(o.seed + 2);
  const optimizer = new Adam(model.parameters, { lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  // wire both batch sizes (the last batch of an epoch may be smaller) before the clock starts
  model.training(batches.batchSize);
  model.training(images.rows - (batches.count - 1) * batches.batchSize);

  let lossSum = 0;
  let seen = 0;
  const { history, seconds } = trainLoop(steps, optimizer, (i) => {
    const k = i % batches.count;
    if (k === 0) batches.shuffle(shuffleRng);
    const b = batches.get(k);
    const t = model.training(b.size);
    t.x.feed(b.x);
    t.feedNoise(noiseRng);
    const loss = optimizationStep(t.loss, optimizer);
    lossSum += loss * b.size;
    seen += b.size;
    return [loss, Math.floor(i / batches.count) + 1];
  }, onProgress);

  const evalCount = Math.min(o.evalImages, data.test.images.rows);
  const heldOutLoss = evalCount > 0 ? model.evaluate(sliceRows(data.test.images, 0, evalCount), new Rng(o.seed + 3)) : NaN;
  return {
    model, optimizer, history, seconds, steps,
    meanLoss: seen > 0 ? lossSum / seen : NaN,
    heldOutLoss,
    dataSource: data.source,
    dataDir: data.dir,
    trainImages: images.rows,
  };
}

/** The W4 network on a batch of 128, with its loss, for the graph picture. */
export function buildVaeFmnistGraph(): { graph: Graph; root: Node } {
  const model = new VaeFmnist();
  return { graph: model.graph, root: model.training(model.options.batch).loss };
}
