import { circle } from '../data/synthetic';
import { linePlot, Series } from '../io/plot';
import { svgToPng } from '../io/render';
import { Alignment, alignment, toJsonl } from '../rules/alignment';
import { UsageError } from '../errors';
import { EXCHANGE_UPDATES, ExchangeUpdate, exchangeRule, HeatExchanger } from '../rules/heat-exchanger';
import { LearningRule } from '../rules/rule';
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
/**
 * Step sizes: the delta rule's and backprop's each picked from {0.01, 0.1, 0.5} on the reference
 * pipe; the credit share keeps the reference write-up's own 0.001.
 */
const LR_EXCHANGE: Record<ExchangeUpdate, number> = { delta: 0.1, seed000: 0.001 };
const LR_BACKPROP = 0.5;
const UPDATE_NAMES: Record<ExchangeUpdate, string> = {
  delta: 'delta rule toward the mean of input and facing section',
  seed000: "the reference write-up's update, the two differences shared by W / column sums",
};

/** Which exchange updates to run, from the `update` option (default both). */
function chosenUpdates(option: string | undefined): ExchangeUpdate[] {
  if (option === undefined || option === 'both') return [...EXCHANGE_UPDATES];
  if ((EXCHANGE_UPDATES as readonly string[]).includes(option)) return [option as ExchangeUpdate];
  throw new UsageError(`heat-exchanger: --update must be one of ${EXCHANGE_UPDATES.join(', ')}, both; got '${option}'`);
}
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

/**
 * Whether F still carries the label at all, whatever the readout: the training accuracy of the
 * best linear readout (least squares, with a bias) of the label from F's last section. The
 * random starting pipe already has features a line can separate well; a rule that flattens
 * them loses that, and no linear readout of F can then beat the majority class.
 */
function linearProbeAccuracy(net: HeatExchanger, set: Examples): number {
  const d = net.width + 1;
  // the normal equations [ZᵀZ | Zᵀy], Z = [features 1]; a tiny ridge keeps a collapsed (constant) pipe solvable
  const a = new Matrix(d, d + 1);
  const z = new Float64Array(d);
  const features = set.x.map((x) => {
    const f = Float64Array.from(net.predict(x).data);
    z.set(f);
    z[d - 1] = 1;
    return Float64Array.from(z);
  });
  features.forEach((f, n) => {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) a.data[i * (d + 1) + j] += f[i] * f[j];
      a.data[i * (d + 1) + d] += f[i] * set.label[n];
    }
  });
  for (let i = 0; i < d; i++) a.data[i * (d + 1) + i] += 1e-9 * set.x.length;
  const w = solveAugmented(a);
  let right = 0;
  features.forEach((f, n) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += f[i] * w[i];
    if (s > 0.5 === set.label[n] > 0.5) right++;
  });
  return right / set.x.length;
}

/** Gauss-Jordan elimination with partial pivoting on [A | b] (A d×d, symmetric positive definite here); returns x with A x = b. */
function solveAugmented(a: Matrix): Float64Array {
  const d = a.rows;
  const at = (i: number, j: number): number => a.data[i * (d + 1) + j];
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(at(r, c)) > Math.abs(at(p, c))) p = r;
    for (let j = 0; j <= d; j++) [a.data[c * (d + 1) + j], a.data[p * (d + 1) + j]] = [at(p, j), at(c, j)];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const factor = at(r, c) / at(c, c);
      for (let j = c; j <= d; j++) a.data[r * (d + 1) + j] -= factor * at(c, j);
    }
  }
  return Float64Array.from({ length: d }, (_, i) => at(i, d) / at(i, i));
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
  const legend = `each row: F's sections (top, left to right) over B's; blue −${fixed(limit, 2)}, white 0, red +${fixed(limit, 2)} (beyond: full colour)`;
  // wide enough for the title and the legend (about 8 and 6.5 px a character), not only for the blocks
  const svgW = Math.max(left + sections * (blockW + gap) + 10, 20 + 8 * title.length, 20 + 6.5 * legend.length);
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
    `<text x="10" y="${svgH - 8}" font-size="11">${legend}</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

interface ExchangeResult {
  update: ExchangeUpdate;
  lr: number;
  trainThreshold: number;
  trainCode: number;
  testThreshold: number;
  testCode: number;
  /** The largest |W| over both pipes at the end: the credit share can blow weights up. */
  maxWeight: number;
  /** Linear-probe training accuracy of F's last section at the end. */
  probe: number;
}

interface RunResult {
  config: Config;
  exchange: ExchangeResult[];
  backprop: { train: number; test: number; probe: number };
  /** Linear-probe training accuracy of F's last section before any update (every net starts there). */
  probeAtStart: number;
  /** Accuracy of always answering the test set's majority class. */
  majority: number;
  curve: { epoch: number; exchangeThreshold: number[]; exchangeCode: number[]; backprop: number }[];
}

interface Exchanger {
  update: ExchangeUpdate;
  net: HeatExchanger;
  rule: LearningRule;
  frames: Matrix[][];
}

function maxAbsWeight(net: HeatExchanger): number {
  return Math.max(...net.synapses.map((s) => Math.max(...Array.from(s.weight.value.data, Math.abs))));
}

async function runConfig(config: Config, updates: ExchangeUpdate[], ctx: ExperimentContext, rng: Rng, trace: Alignment[], files: (string | null)[]): Promise<RunResult> {
  const epochs = ctx.quick ? 1 : config.epochs;
  const train = examples(rng, config.width);
  const test = examples(rng, config.width);
  const initRng = rng.fork();
  // every net starts from the same weights and sees the examples in the same order
  const backprop = new HeatExchanger(config.width, config.sections, initRng);
  const exchangers: Exchanger[] = updates.map((update) => {
    const net = new HeatExchanger(config.width, config.sections, new Rng(0));
    net.synapses.forEach((s, i) => s.weight.assign(backprop.synapses[i].weight.value));
    return { update, net, rule: exchangeRule(update, LR_EXCHANGE[update]), frames: [frame(net)] };
  });
  const probeAtStart = linearProbeAccuracy(backprop, train);
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
      for (const { update, net, rule } of exchangers) {
        const gradients = step % ALIGN_EVERY === 0 ? net.trueGradients(x, y).map((g) => g.clone()) : null;
        const deltas = net.step(x, y, rule);
        if (gradients) net.pipeF.forEach((s, k) => trace.push(alignment(step, `${update} ${config.label}`, s.name, deltas[k], gradients[k])));
      }
      backprop.backpropStep(x, y, LR_BACKPROP);
      step++;
    }
    if (SNAPSHOT_EPOCHS.includes(epoch)) {
      for (const e of exchangers) e.frames.push(frame(e.net));
      frameEpochs.push(epoch);
    }
    if (epoch % every === 0 || epoch === epochs) {
      curve.push({
        epoch,
        exchangeThreshold: exchangers.map((e) => thresholdAccuracy(e.net, train)),
        exchangeCode: exchangers.map((e) => codeAccuracy(e.net, train)),
        backprop: thresholdAccuracy(backprop, train),
      });
    }
    const last = curve.at(-1);
    progress.update(epoch, `${exchangers.map((e, k) => `${e.update} ${fixed(last?.exchangeCode[k] ?? NaN)}`).join(' ')} backprop ${fixed(last?.backprop ?? NaN)}`);
  }
  progress.finish();
  const inside = test.label.reduce((a, b) => a + b, 0) / POINTS;
  for (const { update, frames } of exchangers) {
    // the colour scale is each strip's own 98th percentile of |W|: the credit share blows a few
    // weights up by orders of magnitude, and scaling to the largest would leave the rest white
    const magnitudes = frames.flatMap((weights) => weights.flatMap((m) => Array.from(m.data, Math.abs))).sort((a, b) => a - b);
    const limit = magnitudes[Math.floor(0.98 * (magnitudes.length - 1))];
    const strip = framesSvg(frames, frameEpochs, config.sections, config.width, limit, `heat exchanger weights (${update}; ${config.label}, ${config.sections} sections of width ${config.width})`);
    files.push(writeOut(ctx.out, `weights-${config.label}-${update}.svg`, strip));
    if (ctx.out !== null) files.push(writeOut(ctx.out, `weights-${config.label}-${update}.png`, svgToPng(strip)));
  }
  const series: Series[] = [
    ...exchangers.flatMap((e, k): Series[] => [
      { name: `${e.update}, code readout`, x: curve.map((c) => c.epoch), y: curve.map((c) => c.exchangeCode[k]) },
      { name: `${e.update}, threshold readout`, x: curve.map((c) => c.epoch), y: curve.map((c) => c.exchangeThreshold[k]), dashed: true },
    ]),
    { name: 'backprop, same shape', x: curve.map((c) => c.epoch), y: curve.map((c) => c.backprop) },
  ];
  const svg = linePlot(series, { title: `circle r=${RADIUS}: training accuracy (${config.label}, ${config.sections}×${config.width})`, xLabel: 'epoch', yLabel: 'accuracy' });
  files.push(writeOut(ctx.out, `accuracy-${config.label}.svg`, svg));
  if (ctx.out !== null) files.push(writeOut(ctx.out, `accuracy-${config.label}.png`, svgToPng(svg)));
  return {
    config: { ...config, epochs },
    exchange: exchangers.map(({ update, net }) => ({
      update,
      lr: LR_EXCHANGE[update],
      trainThreshold: thresholdAccuracy(net, train),
      trainCode: codeAccuracy(net, train),
      testThreshold: thresholdAccuracy(net, test),
      testCode: codeAccuracy(net, test),
      maxWeight: maxAbsWeight(net),
      probe: linearProbeAccuracy(net, train),
    })),
    backprop: { train: thresholdAccuracy(backprop, train), test: thresholdAccuracy(backprop, test), probe: linearProbeAccuracy(backprop, train) },
    probeAtStart,
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
    const updates = chosenUpdates(ctx.options?.update);
    const rng = new Rng(ctx.seed);
    const trace: Alignment[] = [];
    const files: (string | null)[] = [];
    const runs: RunResult[] = [];
    for (const config of CONFIGS) for (let r = 0; r < ctx.replications; r++) runs.push(await runConfig(config, updates, ctx, rng, trace, files));
    files.push(writeOut(ctx.out, 'alignment.jsonl', toJsonl(trace)), ...writeAlignmentPlot(ctx.out, 'alignment', "heat exchanger: alignment of F's updates with backprop", trace));
    const table = markdownTable(
      ['pipe', 'sections × width', 'epochs', 'rule', 'lr', 'code readout train / test', 'threshold readout train / test', 'linear probe of F (train): start → end', 'max |W| at the end', 'majority class (test)'],
      runs.flatMap((r) => [
        ...r.exchange.map((e) => [
          r.config.label,
          `${r.config.sections} × ${r.config.width}`,
          r.config.epochs,
          `exchange: ${e.update}`,
          e.lr,
          `${fixed(e.trainCode)} / ${fixed(e.testCode)}`,
          `${fixed(e.trainThreshold)} / ${fixed(e.testThreshold)}`,
          `${fixed(r.probeAtStart)} → ${fixed(e.probe)}`,
          fixed(e.maxWeight, 2),
          fixed(r.majority),
        ]),
        [r.config.label, `${r.config.sections} × ${r.config.width}`, r.config.epochs, 'backprop (F only)', LR_BACKPROP, '–', `${fixed(r.backprop.train)} / ${fixed(r.backprop.test)}`, `${fixed(r.probeAtStart)} → ${fixed(r.backprop.probe)}`, '–', fixed(r.majority)],
      ]),
    );
    const markdown =
      `## Neural Heat Exchanger, circle of radius ${RADIUS} (${POINTS} training and ${POINTS} test points, seed ${ctx.seed})\n\n` +
      `Exchange updates: ${updates.map((u) => `${u}, ${UPDATE_NAMES[u]} (lr ${LR_EXCHANGE[u]})`).join('; ')}. ` +
      `Backprop: the same F pipe (same initial weights, same example order) on ½‖F(x) − y‖², lr ${LR_BACKPROP}. ` +
      `Code readout: the nearer of B's two label codes; threshold readout: the mean of F's outputs above ½; ` +
      `linear probe: the best least-squares line (with a bias) from F's output units to the label, on the training set, which says whether F still carries the label at all.\n\n${table}\n` +
      `### Alignment of the exchange updates of F with backprop's gradient of ½‖F(x) − y‖² (every ${ALIGN_EVERY} steps)\n\n${summariseAlignment(trace)}`;
    return { name: 'heat-exchanger', data: { runs, updates, lrExchange: LR_EXCHANGE, lrBackprop: LR_BACKPROP }, markdown, files: files.filter((f): f is string => f !== null) };
  },
};
