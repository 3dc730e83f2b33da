import { FeedForward } from '../blocks/feedforward';
import { sliceRows } from '../data/batches';
import { binaryAddition, Dataset } from '../data/synthetic';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { linePlot } from '../io/plot';
import { svgToPng } from '../io/render';
import { mse } from '../losses/mse';
import { scale } from '../ops/scale';
import { Sgd } from '../optim/sgd';
import { Alignment, toJsonl } from '../rules/alignment';
import { normal } from '../tensor/init';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { attachInterfaces, DniNet, traceAlignment, Variant, VARIANTS } from './dni-variants';
import { Experiment, ExperimentContext, fixed, markdownTable, summariseAlignment, writeAlignmentPlot, writeOut } from './experiment';


/** The reference set-up: 12-bit sums of two 11-bit numbers, 1000 examples in batches of 10, plain SGD at 0.1. */
const BITS = 12;
const EXAMPLES = 1000;
const BATCH = 10;
const ITERATIONS = 1000;
const LR = 0.1;
/** The synthesisers learn with plain SGD too; 0.1 like the layers made them diverge in trials, 0.01 did not. */
const LR_SYNTHESISER = 0.01;
const SIZES = [2 * BITS, 128, 64, BITS];
const ALIGN_EVERY = 2000;

interface AdditionNet extends DniNet {
  x: Node;
  y: Node;
  out: Node;
}

/** 24-128-64-12 sigmoid layers without biases, weights N(0, 0.2²) − 0.1 as in the reference; an interface after each hidden layer for DNI. */
function build(variant: Variant, rng: Rng): AdditionNet {
  const graph = new Graph();
  const x = graph.input('x', BATCH, SIZES[0]);
  const y = graph.input('y', BATCH, BITS);
  const layers: FeedForward[] = [];
  const hidden: Node[] = [];
  let h = x;
  for (let i = 0; i + 1 < SIZES.length; i++) {
    const layer = new FeedForward(graph, `layer${i + 1}`, SIZES[i], SIZES[i + 1], rng, { activation: 'sigmoid', bias: false });
    const w = normal(rng, SIZES[i], SIZES[i + 1], 0, 0.2);
    for (let k = 0; k < w.size; k++) w.data[k] -= 0.1;
    layer.weight.assign(w);
    layers.push(layer);
    h = layer.apply(h);
    hidden.push(h);
  }
  const loss = scale(mse(h, y, 'sum'), 0.5, 'loss');
  const interfaces = attachInterfaces(variant, hidden.slice(0, -1), rng, (params) => new Sgd(params, { lr: LR_SYNTHESISER }), BITS);
  return { graph, x, y, out: h, loss, layers, interfaces };
}

interface EpochRecord {
  iteration: number;
  /** Σ over the epoch of Σ|(out − y) ⊙ out ⊙ (1 − out)|: the figure the reference prints for backprop. */
  summedDelta: number;
  /** Σ over the epoch of Σ|out − y|: the figure the reference prints for its DNI net. */
  summedError: number;
  /** Share of output bits right (threshold ½) over the epoch's batches. */
  bitAccuracy: number;
  /** Mean cosine of ĝ with the gradient that arrived, per interface (DNI only). */
  cosine: (number | null)[];
  relativeError: (number | null)[];
}

function batchRows(m: Matrix, b: number): Matrix {
  return sliceRows(m, b * BATCH, (b + 1) * BATCH);
}

/** Bit accuracy and exact-sum accuracy of the net on a data set. */
function evaluate(net: AdditionNet, data: Dataset): { bits: number; sums: number } {
  let bits = 0;
  let sums = 0;
  for (let b = 0; b < data.x.rows / BATCH; b++) {
    net.x.feed(batchRows(data.x, b));
    const out = net.graph.forward(net.out);
    const y = batchRows(data.y, b);
    for (let r = 0; r < BATCH; r++) {
      let all = true;
      for (let c = 0; c < BITS; c++) {
        const right = out.get(r, c) > 0.5 === y.get(r, c) > 0.5;
        if (right) bits++;
        else all = false;
      }
      if (all) sums++;
    }
  }
  return { bits: bits / (data.x.rows * BITS), sums: sums / data.x.rows };
}

interface VariantResult {
  variant: Variant;
  curve: EpochRecord[];
  train: { bits: number; sums: number };
  test: { bits: number; sums: number };
}

function runVariant(variant: Variant, ctx: ExperimentContext, train: Dataset, test: Dataset, trace: Alignment[]): VariantResult {
  const rng = new Rng(ctx.seed + 1);
  const net = build(variant, rng);
  const optimizer = new Sgd(net.layers.flatMap((l) => l.parameters), { lr: LR });
  const iterations = ctx.quick ? 3 : ITERATIONS;
  const batches = ctx.quick ? 5 : EXAMPLES / BATCH;
  const xs = Array.from({ length: batches }, (_, b) => batchRows(train.x, b));
  const ys = Array.from({ length: batches }, (_, b) => batchRows(train.y, b));
  const curve: EpochRecord[] = [];
  const progress = ctx.progress(`dni-addition ${variant}`, iterations);
  let step = 0;
  for (let it = 0; it < iterations; it++) {
    let summedDelta = 0;
    let summedError = 0;
    let rightBits = 0;
    const cos = net.interfaces.map(() => [0, 0]);
    const err = net.interfaces.map(() => [0, 0]);
    for (let b = 0; b < batches; b++) {
      net.x.feed(xs[b]);
      net.y.feed(ys[b]);
      for (const sg of net.interfaces) if (sg.context) sg.condition(ys[b]);
      if (net.interfaces.length > 0 && step % ALIGN_EVERY === 0) traceAlignment(net, step, variant, trace, -LR);
      const out = net.graph.forward(net.out);
      for (let i = 0; i < out.size; i++) {
        const o = out.data[i];
        const t = ys[b].data[i];
        summedDelta += Math.abs((o - t) * o * (1 - o));
        summedError += Math.abs(o - t);
        if (o > 0.5 === t > 0.5) rightBits++;
      }
      net.graph.backward(net.loss);
      net.interfaces.forEach((sg, k) => {
        const s = sg.last;
        if (s?.cosine != null) cos[k] = [cos[k][0] + s.cosine, cos[k][1] + 1];
        if (s?.relativeError != null) err[k] = [err[k][0] + s.relativeError, err[k][1] + 1];
      });
      optimizer.step();
      step++;
    }
    const mean = ([s, n]: number[]): number | null => (n > 0 ? s / n : null);
    curve.push({ iteration: it, summedDelta, summedError, bitAccuracy: rightBits / (batches * BATCH * BITS), cosine: cos.map(mean), relativeError: err.map(mean) });
    progress.update(it + 1, `Σ|δ| ${summedDelta.toFixed(1)} Σ|out−y| ${summedError.toFixed(1)}`);
  }
  progress.finish(`Σ|δ| ${curve.at(-1)?.summedDelta.toFixed(2)}`);
  return { variant, curve, train: evaluate(net, train), test: evaluate(net, test) };
}

/** Binary addition: backprop against DNI and cDNI with an interface after each hidden layer. */
export const dniAddition: Experiment = {
  name: 'dni-addition',
  summary: 'synthetic gradients (DNI, cDNI) against backprop on 12-bit binary addition, 24-128-64-12',
  defaultReplications: 1,
  replicates: false,
  async run(ctx) {
    const data = new Rng(ctx.seed);
    const train = binaryAddition(data, EXAMPLES, BITS);
    const test = binaryAddition(data, EXAMPLES, BITS);
    const trace: Alignment[] = [];
    const results = VARIANTS.map((v) => runVariant(v, ctx, train, test, trace));
    const files: (string | null)[] = [writeOut(ctx.out, 'alignment.jsonl', toJsonl(trace)), ...writeAlignmentPlot(ctx.out, 'alignment', 'binary addition: alignment of DNI updates with backprop', trace)];
    files.push(writeOut(ctx.out, 'curves.jsonl', toJsonl(results.flatMap((r) => r.curve.map((c) => ({ variant: r.variant, ...c }))))));
    for (const [key, title] of [
      ['summedDelta', 'Σ|(out − y) ⊙ out ⊙ (1 − out)| per epoch'],
      ['summedError', 'Σ|out − y| per epoch'],
    ] as const) {
      const svg = linePlot(
        results.map((r) => ({ name: r.variant, x: r.curve.map((c) => c.iteration), y: r.curve.map((c) => c[key]) })),
        { title: `binary addition: ${title}`, xLabel: 'iteration (epoch of 100 batches)', yLabel: key, logY: true },
      );
      files.push(writeOut(ctx.out, `${key}.svg`, svg));
      if (ctx.out !== null) files.push(writeOut(ctx.out, `${key}.png`, svgToPng(svg)));
    }
    const at = (r: VariantResult, i: number): EpochRecord | undefined => r.curve[Math.min(i, r.curve.length - 1)];
    const checkpoints = [99, 199, 499, 999];
    const table = markdownTable(
      ['rule', ...checkpoints.map((i) => `Σ|δ| / Σ|out−y| @${i}`), 'train bits / sums', 'test bits / sums'],
      results.map((r) => [
        r.variant,
        ...checkpoints.map((i) => `${fixed(at(r, i)?.summedDelta ?? null, 2)} / ${fixed(at(r, i)?.summedError ?? null, 1)}`),
        `${fixed(r.train.bits)} / ${fixed(r.train.sums)}`,
        `${fixed(r.test.bits)} / ${fixed(r.test.sums)}`,
      ]),
    );
    const sgTable = markdownTable(
      ['rule', 'interface', 'cos(ĝ, g) first epoch', 'cos(ĝ, g) last epoch', '‖ĝ − g‖/‖g‖ last epoch'],
      results.flatMap((r) =>
        r.curve[0].cosine.map((_, k) => [r.variant, `h${k + 1}`, fixed(r.curve[0].cosine[k]), fixed(r.curve.at(-1)?.cosine[k] ?? null), fixed(r.curve.at(-1)?.relativeError[k] ?? null)]),
      ),
    );
    const markdown =
      `## Synthetic gradients on ${BITS}-bit binary addition (${EXAMPLES} examples, batch ${BATCH}, SGD ${LR}, synthesisers SGD ${LR_SYNTHESISER}, seed ${ctx.seed})\n\n` +
      `${table}\nΣ|δ| is the reference's backprop figure (≈ 1.96 at iteration 999), Σ|out−y| its DNI figure (≈ 300, on its own smaller net).\n\n` +
      `### Synthetic gradient against the gradient that arrived\n\n${sgTable}\n` +
      `### Alignment of the DNI updates of the layers below each interface with the true gradient (every ${ALIGN_EVERY} steps)\n\n${summariseAlignment(trace)}`;
    return {
      name: 'dni-addition',
      data: { lr: LR, lrSynthesiser: LR_SYNTHESISER, results: results.map((r) => ({ ...r, curve: r.curve.filter((_, i) => i % 10 === 9 || i === 0) })) },
      markdown,
      files: files.filter((f): f is string => f !== null),
    };
  },
};
