import { sliceRows } from '../data/batches';
import { andGate, Dataset, xorGate } from '../data/synthetic';
import { Alignment, alignment, toJsonl } from '../rules/alignment';
import { ToyNetwork } from '../rules/toy-network';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { Experiment, ExperimentContext, fisherExact, fixed, markdownTable, summariseAlignment, wilson, writeOut } from './experiment';

type Mode = 'supervised' | 'unsupervised' | 'semi-supervised';

interface Config {
  task: 'AND' | 'XOR';
  mode: Mode;
  hidden: number[];
  iterations: number;
  /** The success rate printed in the reference notebook, where it has one. */
  published: number | null;
}

/** The reference notebook estimated each published rate from this many replications. */
const PUBLISHED_REPLICATIONS = 100;

/** The reference notebook's six supervised runs, then the two other rules on the same tasks (no published figure). */
const CONFIGS: readonly Config[] = [
  { task: 'AND', mode: 'supervised', hidden: [10], iterations: 400, published: 0.73 },
  { task: 'AND', mode: 'supervised', hidden: [100], iterations: 400, published: 0.98 },
  { task: 'AND', mode: 'supervised', hidden: [10, 10], iterations: 1000, published: 0.0 },
  { task: 'XOR', mode: 'supervised', hidden: [10], iterations: 400, published: 0.29 },
  { task: 'XOR', mode: 'supervised', hidden: [10, 10], iterations: 400, published: 0.0 },
  { task: 'XOR', mode: 'supervised', hidden: [100], iterations: 400, published: 0.99 },
  { task: 'AND', mode: 'unsupervised', hidden: [10], iterations: 400, published: null },
  { task: 'AND', mode: 'semi-supervised', hidden: [10], iterations: 400, published: null },
  { task: 'XOR', mode: 'unsupervised', hidden: [10], iterations: 400, published: null },
  { task: 'XOR', mode: 'semi-supervised', hidden: [10], iterations: 400, published: null },
];

const LR = 0.01;
/** Steps between two alignment records of the traced replication. */
const ALIGN_EVERY = 10;

interface Row extends Config {
  successes: number;
  replications: number;
  rate: number;
  ci: [number, number];
  /** Two-sided Fisher exact p of our rate against the published one (null without a published rate). */
  fisherP: number | null;
}

function rows(ds: Dataset): { x: Matrix; t: Matrix }[] {
  const out = [];
  for (let i = 0; i < ds.x.rows; i++) {
    out.push({ x: sliceRows(ds.x, i, i + 1), t: Matrix.scalar(ds.y.data[i]) });
  }
  return out;
}

function step(net: ToyNetwork, mode: Mode, x: Matrix, t: Matrix): Matrix[] {
  if (mode === 'supervised') return net.supervisedStep(x, t, LR);
  if (mode === 'unsupervised') return net.unsupervisedStep(x, LR);
  return net.semiSupervisedStep(x, t, LR);
}

/** Which weights a step of `mode` changes, in the order `step` returns their ΔW. */
function changed(net: ToyNetwork, mode: Mode): string[] {
  const names = net.weights.map((w) => w.name);
  return mode === 'supervised' ? names.slice(1) : names;
}

/** One replication: train on random examples, succeed when the sign of the output is right on all four inputs. */
function replicate(config: Config, rng: Rng, trace: Alignment[] | null): boolean {
  const examples = rows(config.task === 'AND' ? andGate() : xorGate());
  const net = new ToyNetwork(2, config.hidden, 1, rng);
  const label = `${config.mode} ${config.task} [${config.hidden.join(', ')}]`;
  for (let it = 0; it < config.iterations; it++) {
    const { x, t } = examples[rng.int(examples.length)];
    const gradients = trace && it % ALIGN_EVERY === 0 ? net.trueGradients(x, t).map((g) => g.clone()) : null;
    const deltas = step(net, config.mode, x, t);
    if (gradients && trace) {
      changed(net, config.mode).forEach((name, i) => trace.push(alignment(it, label, name, deltas[i], gradients[net.weights.findIndex((w) => w.name === name)])));
    }
  }
  return examples.every(({ x, t }) => net.predict(x).data[0] > 0 === t.data[0] > 0);
}

/** Success rates of the Hebbian rules on AND and XOR, with Wilson intervals beside the published rates. */
export const hebbian: Experiment = {
  name: 'hebbian',
  summary: 'success rates of supervised, unsupervised and reward-gated Hebbian rules on AND/XOR',
  defaultReplications: 100,
  replicates: true,
  async run(ctx: ExperimentContext) {
    const rng = new Rng(ctx.seed);
    const trace: Alignment[] = [];
    const results: Row[] = [];
    const progress = ctx.progress('hebbian', CONFIGS.length * ctx.replications);
    let done = 0;
    for (const config of CONFIGS) {
      const c = ctx.quick ? { ...config, iterations: Math.min(config.iterations, 50) } : config;
      let successes = 0;
      for (let r = 0; r < ctx.replications; r++) {
        if (replicate(c, rng, r === 0 ? trace : null)) successes++;
        progress.update(++done, `${c.task} ${c.mode} [${c.hidden.join(',')}]`);
      }
      const ci = wilson(successes, ctx.replications);
      const fisherP =
        c.published === null ? null : fisherExact(successes, ctx.replications, Math.round(c.published * PUBLISHED_REPLICATIONS), PUBLISHED_REPLICATIONS);
      results.push({ ...c, successes, replications: ctx.replications, rate: successes / ctx.replications, ci, fisherP });
    }
    progress.finish();
    const table = markdownTable(
      ['task', 'rule', 'hidden', 'iterations', 'success rate', '95% Wilson', 'published', 'Fisher p vs published'],
      results.map((r) => [
        r.task,
        r.mode,
        `[${r.hidden.join(', ')}]`,
        r.iterations,
        `${r.successes}/${r.replications} = ${fixed(r.rate, 2)}`,
        `[${fixed(r.ci[0], 2)}, ${fixed(r.ci[1], 2)}]`,
        r.published === null ? '–' : fixed(r.published, 2),
        fixed(r.fisherP, 2),
      ]),
    );
    const alignmentTable = summariseAlignment(trace);
    const markdown =
      `## Hebbian rules on AND / XOR (inputs ±1, lr ${LR}, weights clipped to [−1, 1], seed ${ctx.seed})\n\n${table}\n` +
      `### Alignment with backprop (first replication of each row, every ${ALIGN_EVERY} steps)\n\n${alignmentTable}`;
    const files = [writeOut(ctx.out, 'alignment.jsonl', toJsonl(trace))].filter((f): f is string => f !== null);
    return { name: 'hebbian', data: { lr: LR, seed: ctx.seed, rows: results }, markdown, files };
  },
};
