import { circle } from '../data/synthetic';
import { linePlot, Series } from '../io/plot';
import { svgToPng } from '../io/render';
import { Alignment, alignment, toJsonl } from '../rules/alignment';
import { HeatExchanger } from '../rules/heat-exchanger';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { Experiment, ExperimentContext, fixed, markdownTable, summariseAlignment, writeAlignmentPlot, writeOut } from './experiment';

interface Config {
  label: string;
  width: number;
  sections: number;
  epochs: number;
}

/** The reference set-up (ten sections of width 2, 200 epochs), and a wider, shorter pipe. */
const CONFIGS: readonly Config[] = [
  { label: 'reference', width: 2, sections: 10, epochs: 200 },
  { label: 'wide-short', width: 8, sections: 3, epochs: 200 },
];
const POINTS = 500;
const RADIUS = 0.8;
/** Step sizes, one per rule, each picked from {0.01, 0.1, 0.5} on the reference pipe. */
const LR_EXCHANGE = 0.1;
const LR_BACKPROP = 0.5;
const SNAPSHOT_EPOCHS = [0, 1, 2, 5, 10, 20, 50, 100, 200];
const ALIGN_EVERY = 500;

/**
 * Every vector enters a pipe repeated to the pipe's width: the input (x₁, x₂) as x₁ x₂ x₁ x₂ …,
 * the label as one value in every unit (the reference duplicated it to width 2 the same way).
 */
function tile(values: ArrayLike<number>, width: number): Matrix {
  const m = new Matrix(1, width);
  for (let i = 0; i < width; i++) m.data[i] = values[i % values.length];
  return m;
}

interface Examples {
  x: Matrix[];
  y: Matrix[];
  label: number[];
}

function examples(rng: Rng, width: number): Examples {
  const ds = circle(rng, POINTS, RADIUS);
  const out: Examples = { x: [], y: [], label: [] };
  for (let i = 0; i < POINTS; i++) {
    out.x.push(tile(ds.x.data.subarray(2 * i, 2 * i + 2), width));
    out.y.push(tile([ds.y.data[i]], width));
    out.label.push(ds.y.data[i]);
  }
  return out;
}

/** Threshold readout: the mean of F's output units above ½ means "inside". */
function thresholdAccuracy(net: HeatExchanger, set: Examples): number {
  let right = 0;
  set.x.forEach((x, i) => {
    const out = net.predict(x);
    let s = 0;
    for (let k = 0; k < out.size; k++) s += out.data[k];
    if (s / out.size > 0.5 === set.label[i] > 0.5) right++;
  });
  return right / set.x.length;
}

/**
 * Code readout: F's output is pulled toward B's first section, not toward y itself, so the
 * fair reading is whichever of B's two codes (for label 0 and label 1) it lies nearer to.
 */
function codeAccuracy(net: HeatExchanger, set: Examples): number {
  const first = net.pipeB[net.sections - 1].post;
  const code = (label: number): Matrix => {
    net.y.feed(tile([label], net.width));
    return net.graph.forward(first).clone();
  };
  const [c0, c1] = [code(0), code(1)];
  let right = 0;
  set.x.forEach((x, i) => {
    const out = net.predict(x);
    let d0 = 0;
    let d1 = 0;
    for (let k = 0; k < out.size; k++) {
      d0 += (out.data[k] - c0.data[k]) ** 2;
      d1 += (out.data[k] - c1.data[k]) ** 2;
    }
    if (d1 < d0 === set.label[i] > 0.5) right++;
  });
  return right / set.x.length;
}

/** One frame: a copy of every section's weights, F's then B's. */
function frame(net: HeatExchanger): Matrix[] {
  return net.synapses.map((s) => s.weight.value.clone());
}

/** A diverging colour for v in [−1, 1]: blue below zero, white at zero, red above (#rrggbb). */
function diverging(v: number): string {
  const t = Math.max(-1, Math.min(1, v));
  const fade = (c: number): number => Math.round(255 - (255 - c) * Math.abs(t));
  const [r, g, b] = t < 0 ? [fade(33), fade(102), fade(172)] : [fade(178), fade(24), fade(43)];
  return '#' + [r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('');
}

/**
 * The weight frames as one SVG: a row per snapshot, labelled with its epoch; in each row F's
 * sections (left to right) above B's, one width×width block of cells per section.
 */
function framesSvg(frames: Matrix[][], epochs: number[], sections: number, width: number, limit: number, title: string): string {
  const cell = Math.max(4, Math.floor(28 / width));
  const gap = cell;
  const left = 86;
  const top = 40;
  const blockW = width * cell;
  const rowH = 2 * width * cell + 4 + 14;
  const svgW = left + sections * (blockW + gap) + 10;
  const svgH = top + frames.length * rowH + 24;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgW}" height="${svgH}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${svgW}" height="${svgH}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${title}</text>`,
  ];
  frames.forEach((weights, f) => {
    const y0 = top + f * rowH;
    parts.push(`<text x="10" y="${y0 + width * cell + 4}" font-size="12">epoch ${epochs[f]}</text>`);
    weights.forEach((m, k) => {
      const pipe = k < sections ? 0 : 1;
      const x0 = left + (k % sections) * (blockW + gap);
      const yb = y0 + pipe * (width * cell + 4);
      for (let r = 0; r < width; r++) {
        for (let c = 0; c < width; c++) {
          parts.push(`<rect x="${x0 + c * cell}" y="${yb + r * cell}" width="${cell}" height="${cell}" fill="${diverging(m.get(r, c) / limit)}"/>`);
        }
      }
    });
  });
  parts.push(
    `<text x="10" y="${svgH - 8}" font-size="11">each row: F's sections (top, left to right) over B's; blue −${fixed(limit, 2)}, white 0, red +${fixed(limit, 2)}</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

interface RunResult {
  config: Config;
  exchange: { trainThreshold: number; trainCode: number; testThreshold: number; testCode: number };
  backprop: { train: number; test: number };
  /** Accuracy of always answering the test set's majority class. */
  majority: number;
  curve: { epoch: number; exchangeThreshold: number; exchangeCode: number; backprop: number }[];
}

async function runConfig(config: Config, ctx: ExperimentContext, rng: Rng, trace: Alignment[], files: (string | null)[]): Promise<RunResult> {
  const epochs = ctx.quick ? 1 : config.epochs;
  const train = examples(rng, config.width);
  const test = examples(rng, config.width);
  const initRng = rng.fork();
  // both nets start from the same weights and see the examples in the same order
  const exchange = new HeatExchanger(config.width, config.sections, initRng);
  const backprop = new HeatExchanger(config.width, config.sections, new Rng(0));
  exchange.synapses.forEach((s, i) => backprop.synapses[i].weight.assign(s.weight.value));
  const frames: Matrix[][] = [frame(exchange)];
  const frameEpochs = [0];
  const curve: RunResult['curve'] = [];
  const every = Math.max(1, Math.floor(epochs / 50));
  const progress = ctx.progress(`heat ${config.label}`, epochs);
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = rng.permutation(POINTS);
    for (const i of order) {
      const x = train.x[i];
      const y = train.y[i];
      const gradients = step % ALIGN_EVERY === 0 ? exchange.trueGradients(x, y).map((g) => g.clone()) : null;
      const deltas = exchange.step(x, y, LR_EXCHANGE);
      if (gradients) exchange.pipeF.forEach((s, k) => trace.push(alignment(step, `exchange ${config.label}`, s.name, deltas[k], gradients[k])));
      backprop.backpropStep(x, y, LR_BACKPROP);
      step++;
    }
    if (SNAPSHOT_EPOCHS.includes(epoch)) {
      frames.push(frame(exchange));
      frameEpochs.push(epoch);
    }
    if (epoch % every === 0 || epoch === epochs) {
      curve.push({ epoch, exchangeThreshold: thresholdAccuracy(exchange, train), exchangeCode: codeAccuracy(exchange, train), backprop: thresholdAccuracy(backprop, train) });
    }
    progress.update(epoch, `exchange ${fixed(curve.at(-1)?.exchangeCode ?? NaN)} backprop ${fixed(curve.at(-1)?.backprop ?? NaN)}`);
  }
  progress.finish();
  const inside = test.label.reduce((a, b) => a + b, 0) / POINTS;
  const limit = Math.max(...frames.flat().map((m) => Math.max(...Array.from(m.data, Math.abs))));
  const strip = framesSvg(frames, frameEpochs, config.sections, config.width, limit, `heat exchanger weights (${config.label}, ${config.sections} sections of width ${config.width})`);
  files.push(writeOut(ctx.out, `weights-${config.label}.svg`, strip));
  if (ctx.out !== null) files.push(writeOut(ctx.out, `weights-${config.label}.png`, svgToPng(strip)));
  const series: Series[] = [
    { name: 'heat exchanger, code readout', x: curve.map((c) => c.epoch), y: curve.map((c) => c.exchangeCode) },
    { name: 'heat exchanger, threshold readout', x: curve.map((c) => c.epoch), y: curve.map((c) => c.exchangeThreshold), dashed: true },
    { name: 'backprop, same shape', x: curve.map((c) => c.epoch), y: curve.map((c) => c.backprop) },
  ];
  const svg = linePlot(series, { title: `circle r=${RADIUS}: training accuracy (${config.label}, ${config.sections}×${config.width})`, xLabel: 'epoch', yLabel: 'accuracy' });
  files.push(writeOut(ctx.out, `accuracy-${config.label}.svg`, svg));
  if (ctx.out !== null) files.push(writeOut(ctx.out, `accuracy-${config.label}.png`, svgToPng(svg)));
  return {
    config: { ...config, epochs },
    exchange: {
      trainThreshold: thresholdAccuracy(exchange, train),
      trainCode: codeAccuracy(exchange, train),
      testThreshold: thresholdAccuracy(exchange, test),
      testCode: codeAccuracy(exchange, test),
    },
    backprop: { train: thresholdAccuracy(backprop, train), test: thresholdAccuracy(backprop, test) },
    majority: Math.max(inside, 1 - inside),
    curve,
  };
}

/** The Neural Heat Exchanger on the circle task, beside backprop on the same pipe. */
export const heatExchanger: Experiment = {
  name: 'heat-exchanger',
  summary: 'Neural Heat Exchanger on the circle task against backprop on the same pipe; weight frames',
  defaultReplications: 1,
  replicates: true,
  async run(ctx) {
    const rng = new Rng(ctx.seed);
    const trace: Alignment[] = [];
    const files: (string | null)[] = [];
    const runs: RunResult[] = [];
    for (const config of CONFIGS) for (let r = 0; r < ctx.replications; r++) runs.push(await runConfig(config, ctx, rng, trace, files));
    files.push(writeOut(ctx.out, 'alignment.jsonl', toJsonl(trace)), ...writeAlignmentPlot(ctx.out, 'alignment', 'heat exchanger: alignment of F\'s updates with backprop', trace));
    const table = markdownTable(
      ['pipe', 'sections × width', 'epochs', 'exchange (code) train / test', 'exchange (threshold) train / test', 'backprop train / test', 'majority class (test)'],
      runs.map((r) => [
        r.config.label,
        `${r.config.sections} × ${r.config.width}`,
        r.config.epochs,
        `${fixed(r.exchange.trainCode)} / ${fixed(r.exchange.testCode)}`,
        `${fixed(r.exchange.trainThreshold)} / ${fixed(r.exchange.testThreshold)}`,
        `${fixed(r.backprop.train)} / ${fixed(r.backprop.test)}`,
        fixed(r.majority),
      ]),
    );
    const markdown =
      `## Neural Heat Exchanger, circle of radius ${RADIUS} (${POINTS} training and ${POINTS} test points, seed ${ctx.seed})\n\n` +
      `Exchange: sigmoid delta rule toward the mean of a section's input and its facing section, lr ${LR_EXCHANGE}. ` +
      `Backprop: the same F pipe (same initial weights, same example order) on ½‖F(x) − y‖², lr ${LR_BACKPROP}.\n\n${table}\n` +
      `### Alignment of the exchange updates of F with backprop's gradient of ½‖F(x) − y‖² (every ${ALIGN_EVERY} steps)\n\n${summariseAlignment(trace)}`;
    return { name: 'heat-exchanger', data: { runs, lrExchange: LR_EXCHANGE, lrBackprop: LR_BACKPROP }, markdown, files: files.filter((f): f is string => f !== null) };
  },
};
