import { FeedForward } from '../blocks/feedforward';
import { Batches, sliceRows } from '../data/batches';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS, FashionMnistSplit, loadFashionMnist } from '../data/fashion-mnist';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { linePlot } from '../io/plot';
import { svgToPng } from '../io/render';
import { softmaxCrossEntropy } from '../losses/softmax-cross-entropy';
import { Adam } from '../optim/adam';
import { Alignment, toJsonl } from '../rules/alignment';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { attachInterfaces, DniNet, traceAlignment, Variant, VARIANTS } from './dni-variants';
import { Experiment, ExperimentContext, fixed, markdownTable, summariseAlignment, writeAlignmentPlot, writeOut } from './experiment';


const CLASSES = FASHION_MNIST_CLASSES.length;
const SIZES = [FASHION_MNIST_PIXELS, 256, 256, CLASSES];
const BATCH = 100;
const EPOCHS = 10;
const LR = 1e-3;
const LR_SYNTHESISER = 1e-4;
const ALIGN_EVERY = 600;
/** In --quick runs: this many training and test images, one epoch. */
const QUICK_IMAGES = 500;

interface Net extends DniNet {
  x: Node;
  labels: Node;
  logits: Node;
}

/** 784-256-256-10 ReLU MLP; for DNI a linear synthesiser after every hidden layer (cDNI: also reading the one-hot label). */
function build(variant: Variant, rng: Rng): Net {
  const graph = new Graph({ dtype: 'float32' });
  const x = graph.input('x', BATCH, SIZES[0]);
  const labels = graph.input('labels', BATCH, 1);
  const layers: FeedForward[] = [];
  const hidden: Node[] = [];
  let h = x;
  for (let i = 0; i + 1 < SIZES.length; i++) {
    const last = i + 2 === SIZES.length;
    const layer = new FeedForward(graph, `layer${i + 1}`, SIZES[i], SIZES[i + 1], rng, { activation: last ? 'none' : 'relu' });
    layers.push(layer);
    h = layer.apply(h);
    if (!last) hidden.push(h);
  }
  const loss = softmaxCrossEntropy(h, labels, 'batch', 'loss');
  const interfaces = attachInterfaces(variant, hidden, rng, (p) => new Adam(p, { lr: LR_SYNTHESISER }), CLASSES);
  return { graph, x, labels, logits: h, loss, layers, interfaces };
}

/** Label column then one-hot columns, so one shuffled batch carries both. */
function targets(split: FashionMnistSplit, n: number): Matrix {
  const m = new Matrix(n, 1 + CLASSES, 'float32');
  for (let i = 0; i < n; i++) {
    m.data[i * (1 + CLASSES)] = split.labels[i];
    m.data[i * (1 + CLASSES) + 1 + split.labels[i]] = 1;
  }
  return m;
}

/** The first n rows; the whole set is used as it is, not copied. */
function firstRows(m: Matrix, n: number): Matrix {
  return n === m.rows ? m : sliceRows(m, 0, n);
}

function split(y: Matrix, labels: Matrix, oneHot: Matrix): void {
  for (let i = 0; i < y.rows; i++) {
    labels.data[i] = y.data[i * (1 + CLASSES)];
    oneHot.data.set(y.data.subarray(i * (1 + CLASSES) + 1, (i + 1) * (1 + CLASSES)), i * CLASSES);
  }
}

function accuracy(net: Net, batches: Batches): number {
  const labels = new Matrix(BATCH, 1, 'float32');
  const oneHot = new Matrix(BATCH, CLASSES, 'float32');
  let right = 0;
  for (let b = 0; b < batches.count; b++) {
    const batch = batches.get(b);
    split(batch.y, labels, oneHot);
    net.x.feed(batch.x);
    const z = net.graph.forward(net.logits);
    for (let r = 0; r < BATCH; r++) {
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if (z.get(r, c) > z.get(r, best)) best = c;
      if (best === labels.data[r]) right++;
    }
  }
  return right / (batches.count * BATCH);
}

interface VariantResult {
  variant: Variant;
  epochs: { epoch: number; loss: number; testAccuracy: number; cosine: (number | null)[] }[];
  testAccuracy: number;
  seconds: number;
}

function runVariant(variant: Variant, ctx: ExperimentContext, train: Batches, test: Batches, epochs: number, trace: Alignment[]): VariantResult {
  const rng = new Rng(ctx.seed);
  const net = build(variant, rng.fork());
  const optimizer = new Adam(net.layers.flatMap((l) => l.parameters), { lr: LR });
  const labels = new Matrix(BATCH, 1, 'float32');
  const oneHot = new Matrix(BATCH, CLASSES, 'float32');
  const progress = ctx.progress(`dni-fmnist ${variant}`, epochs * train.count);
  const started = performance.now();
  const history: VariantResult['epochs'] = [];
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    train.shuffle(rng);
    let lossSum = 0;
    const cos = net.interfaces.map(() => [0, 0]);
    for (let b = 0; b < train.count; b++) {
      const batch = train.get(b);
      split(batch.y, labels, oneHot);
      net.x.feed(batch.x);
      net.labels.feed(labels);
      for (const sg of net.interfaces) if (sg.context) sg.condition(oneHot);
      // the direction is what matters here: Adam rescales each coordinate, so −g stands for the update
      if (net.interfaces.length > 0 && step % ALIGN_EVERY === 0) traceAlignment(net, step, variant, trace, -1);
      net.graph.backward(net.loss);
      lossSum += net.loss.value.data[0];
      net.interfaces.forEach((sg, k) => {
        if (sg.last?.cosine != null) cos[k] = [cos[k][0] + sg.last.cosine, cos[k][1] + 1];
      });
      optimizer.step();
      step++;
      progress.update(step, `loss ${(lossSum / (b + 1)).toFixed(4)}`);
    }
    history.push({ epoch, loss: lossSum / train.count, testAccuracy: accuracy(net, test), cosine: cos.map(([s, n]) => (n > 0 ? s / n : null)) });
  }
  const testAccuracy = history.at(-1)?.testAccuracy ?? NaN;
  progress.finish(`test accuracy ${fixed(testAccuracy)}`);
  return { variant, epochs: history, testAccuracy, seconds: (performance.now() - started) / 1000 };
}

/** Fashion-MNIST MLP: backprop against DNI and cDNI with a synthetic gradient between every pair of layers. */
export const dniFmnist: Experiment = {
  name: 'dni-fmnist',
  summary: 'synthetic gradients (DNI, cDNI) against backprop on a 784-256-256-10 Fashion-MNIST MLP',
  defaultReplications: 1,
  replicates: false,
  async run(ctx) {
    const data = loadFashionMnist({ dtype: 'float32' });
    const nTrain = ctx.quick ? QUICK_IMAGES : data.train.images.rows;
    const nTest = ctx.quick ? QUICK_IMAGES : data.test.images.rows;
    const epochs = ctx.quick ? 1 : EPOCHS;
    const train = new Batches(firstRows(data.train.images, nTrain), targets(data.train, nTrain), BATCH, { dropLast: true });
    const test = new Batches(firstRows(data.test.images, nTest), targets(data.test, nTest), BATCH, { dropLast: true });
    const trace: Alignment[] = [];
    const results = VARIANTS.map((v) => runVariant(v, ctx, train, test, epochs, trace));
    const files: (string | null)[] = [writeOut(ctx.out, 'alignment.jsonl', toJsonl(trace)), ...writeAlignmentPlot(ctx.out, 'alignment', 'Fashion-MNIST: alignment of DNI updates with backprop', trace)];
    const svg = linePlot(
      results.map((r) => ({ name: r.variant, x: r.epochs.map((e) => e.epoch), y: r.epochs.map((e) => e.testAccuracy) })),
      { title: 'Fashion-MNIST 784-256-256-10: test accuracy', xLabel: 'epoch', yLabel: 'accuracy' },
    );
    files.push(writeOut(ctx.out, 'test-accuracy.svg', svg));
    if (ctx.out !== null) files.push(writeOut(ctx.out, 'test-accuracy.png', svgToPng(svg)));
    const backprop = results[0].testAccuracy;
    const table = markdownTable(
      ['rule', 'epochs', 'test accuracy', 'points behind backprop', 'mean cos(ĝ, g) last epoch (h1, h2)', 'seconds'],
      results.map((r) => [
        r.variant,
        epochs,
        fixed(r.testAccuracy, 4),
        fixed(100 * (backprop - r.testAccuracy), 2),
        r.epochs.at(-1)?.cosine.map((c) => fixed(c)).join(', ') || '–',
        r.seconds.toFixed(0),
      ]),
    );
    const markdown =
      `## Synthetic gradients on Fashion-MNIST (${nTrain} training / ${nTest} test images from ${data.source} data, batch ${BATCH}, ` +
      `Adam ${LR}, synthesisers Adam ${LR_SYNTHESISER}, seed ${ctx.seed})\n\n${table}\n` +
      `### Alignment of the DNI updates with the true gradient (every ${ALIGN_EVERY} steps)\n\n${summariseAlignment(trace)}`;
    return { name: 'dni-fmnist', data: { nTrain, nTest, epochs, lr: LR, lrSynthesiser: LR_SYNTHESISER, results }, markdown, files: files.filter((f): f is string => f !== null) };
  },
};
