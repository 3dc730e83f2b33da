'use strict';
// W2-W5 in TensorFlow.js (float32 only; one thread), backend cpu or wasm (--backend).
// Every step is optimizer.minimize(loss, returnCost) with the cost read back, as a user runs it.
const zlib = require('node:zlib');
const fs = require('node:fs');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const { args, emit, now, stepsBegin, stepsEnd, tensor } = require('../harness');

const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

const f32 = (name, shape) => tf.tensor(Float32Array.from(tensor(name).data), shape, 'float32');
const variable = (name, shape) => tf.variable(f32(name, shape));

/** Runs warmup + steps steps of step(it) → cost tensor; returns the timed seconds and the first losses. */
function timedSteps(a, step) {
  const times = [];
  const losses = [];
  stepsBegin();
  for (let it = 0; it < a.warmup + a.steps; it++) {
    const t0 = now();
    const cost = step(it);
    const value = cost.dataSync()[0];
    cost.dispose();
    const elapsed = now() - t0;
    if (it < 5) losses.push(value);
    if (it >= a.warmup) times.push(elapsed);
  }
  stepsEnd();
  return { times, losses };
}

/** LSTM weights from PyTorch's layout as the cell form's Wx [in × 4H], Wh [H × 4H], b = b_ih + b_hh. */
function lstmVariables(prefix, I, H) {
  const wih = tensor(`${prefix}.W_ih`).data;
  const whh = tensor(`${prefix}.W_hh`).data;
  const bih = tensor(`${prefix}.b_ih`).data;
  const bhh = tensor(`${prefix}.b_hh`).data;
  return {
    wx: tf.variable(tf.tensor(Float32Array.from(wih), [4 * H, I]).transpose()),
    wh: tf.variable(tf.tensor(Float32Array.from(whh), [4 * H, H]).transpose()),
    b: tf.variable(tf.tensor(Float32Array.from(bih, (v, k) => v + bhh[k]), [1, 4 * H])),
  };
}

function cell(v, x, h, c) {
  const [i, f, g, o] = tf.split(tf.add(tf.add(tf.matMul(x, v.wx), tf.matMul(h, v.wh)), v.b), 4, 1);
  const c2 = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
  return { h: tf.mul(tf.sigmoid(o), tf.tanh(c2)), c: c2 };
}

function w2(a) {
  const H = 16;
  const T = 5;
  const v = lstmVariables('w2', 1, H);
  const wo = variable('w2.w_out', [H, 1]);
  const bo = variable('w2.b_out', [1, 1]);
  const s = Float32Array.from(tensor('w2.series').data);
  const xs = Array.from({ length: 994 }, (_, p) => Array.from({ length: T }, (_, k) => tf.tensor2d([[s[p + k]]])));
  const ys = Array.from({ length: 994 }, (_, p) => tf.tensor2d(s.slice(p + 1, p + 1 + T), [1, T]));
  const zeros = tf.zeros([1, H]);
  const opt = tf.train.sgd(0.01);
  const step = (it) => {
    const p = it % 994;
    return opt.minimize(() => {
      let state = { h: zeros, c: zeros };
      const outs = [];
      for (let k = 0; k < T; k++) {
        state = cell(v, xs[p][k], state.h, state.c);
        outs.push(tf.tanh(tf.add(tf.matMul(state.h, wo), bo)));
      }
      return tf.mean(tf.square(tf.sub(tf.concat(outs, 1), ys[p])));
    }, true);
  };
  return { dtype: 'float32', unit: 'step', ...pack(timedSteps(a, step)) };
}

function w3(a) {
  const H = 256;
  const v = lstmVariables('w3', 32, H);
  const wo = variable('w3.w_out', [H, 1]);
  const bo = variable('w3.b_out', [1, 1]);
  const x = tf.unstack(f32('w3.x', [20, 64, 32]));
  const y = f32('w3.y', [64, 1]);
  const zeros = tf.zeros([64, H]);
  const opt = tf.train.sgd(0.01);
  const step = () =>
    opt.minimize(() => {
      let state = { h: zeros, c: zeros };
      for (const xt of x) state = cell(v, xt, state.h, state.c);
      return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(state.h, wo), bo), y)));
    }, true);
  return { dtype: 'float32', unit: 'step', ...pack(timedSteps(a, step)) };
}

function w4(a) {
  const t0 = now();
  const raw = zlib.gunzipSync(fs.readFileSync(FASHION));
  const perm = tensor('w4.perm').data;
  const eps = tensor('w4.eps').data;
  const steps = Math.max(a.steps, a.warmup);
  const batches = [];
  for (let s = 0; s < 60000 && batches.length < steps; s += 128) {
    const n = Math.min(128, 60000 - s);
    const x = new Float32Array(n * 784);
    for (let r = 0; r < n; r++) for (let j = 0; j < 784; j++) x[r * 784 + j] = raw[16 + perm[s + r] * 784 + j] / 255;
    batches.push({ x: tf.tensor2d(x, [n, 784]), eps: tf.tensor2d(eps.slice(s * 20, (s + n) * 20), [n, 20]) });
  }
  const setup = now() - t0;
  const layers = ['enc1', 'mu', 'logvar', 'dec1', 'out'];
  const sizes = { enc1: [784, 400], mu: [400, 20], logvar: [400, 20], dec1: [20, 400], out: [400, 784] };
  const run = (count) => {
    const p = Object.fromEntries(layers.map((l) => [l, { W: variable(`w4.${l}.W`, sizes[l]), b: variable(`w4.${l}.b`, [1, sizes[l][1]]) }]));
    const dense = (l, x) => tf.add(tf.matMul(x, p[l].W), p[l].b);
    const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    const times = [];
    const losses = [];
    let total = 0;
    const start = now();
    for (const { x, eps: e } of batches.slice(0, count)) {
      const s0 = now();
      const cost = opt.minimize(() => {
        const h = tf.tanh(dense('enc1', x));
        const mu = dense('mu', h);
        const logvar = dense('logvar', h);
        const z = tf.add(mu, tf.mul(e, tf.exp(tf.mul(logvar, 0.5))));
        const logits = dense('out', tf.tanh(dense('dec1', z)));
        const bce = tf.losses.sigmoidCrossEntropy(x, logits, undefined, 0, tf.Reduction.SUM);
        const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar))));
        return tf.div(tf.add(bce, kl), x.shape[0]);
      }, true);
      const value = cost.dataSync()[0];
      total += value * x.shape[0];
      cost.dispose();
      times.push(now() - s0);
      if (losses.length < 5) losses.push(value);
    }
    const epoch = now() - start;
    opt.dispose();
    for (const l of layers) tf.dispose([p[l].W, p[l].b]);
    return { times, epoch, total, losses };
  };
  run(a.warmup); // warm-up on throw-away variables; the timed run starts again from the shared init
  const { times, epoch, total, losses } = run(a.steps);
  const full = a.steps === 469;
  return { dtype: 'float32', unit: 'step', times, setup, epoch: full ? epoch : null, check: { losses, epoch_loss: full ? total / 60000 : null } };
}

function w5(a) {
  const W = ['W01', 'W12', 'W23'].map((n, k) => variable(`w5.${n}`, [[24, 128], [128, 64], [64, 12]][k]));
  const x = f32('w5.x', [1000, 24]);
  const y = f32('w5.y', [1000, 12]);
  const batches = Array.from({ length: 100 }, (_, i) => ({ x: x.slice([i * 10, 0], [10, 24]), y: y.slice([i * 10, 0], [10, 12]) }));
  const opt = tf.train.sgd(0.1);
  const epoch = () => {
    let error = tf.scalar(0);
    for (const b of batches) {
      let delta = null;
      tf.dispose(
        opt.minimize(() => {
          const out = tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(b.x, W[0])), W[1])), W[2]));
          const diff = tf.sub(out, b.y);
          delta = tf.keep(tf.sum(tf.abs(tf.mul(tf.mul(diff, out), tf.sub(1, out))))); // the seed's Σ|layer_3_delta|
          return tf.mul(0.5, tf.sum(tf.square(diff)));
        }, true),
      );
      const next = tf.add(error, delta);
      tf.dispose([error, delta]);
      error = next;
    }
    return error;
  };
  const r = timedSteps(a, epoch);
  return { dtype: 'float32', unit: 'epoch', times: r.times, check: { error_epoch1: r.losses[0], errors: r.losses.slice(0, 3) } };
}

function pack({ times, losses }) {
  return { times, check: { losses } };
}

async function main() {
  const a = args();
  await tf.setBackend(a.backend);
  await tf.ready();
  const start = now();
  const result = { w2, w3, w4, w5 }[a.workload](a);
  emit({
    system: `tfjs-${a.backend}`, version: tf.version.tfjs, workload: a.workload, variant: 'cell', threads: 1,
    setup: 0, ...result, wall: now() - start, leakedTensors: tf.memory().numTensors,
  });
}

main();
