import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { linePlot } from '../io/plot';
import { svgToPng } from '../io/render';
import { Adam } from '../optim/adam';
import { UsageError } from '../errors';
import { deltaUpdate, hebbianUpdate, LstmMetaRule, MetaRule, SynapseUpdate, UnrolledUnit } from '../rules/meta-rule';
import { uniform, zeros } from '../tensor/init';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { Alignment, alignment, toJsonl } from '../rules/alignment';
import { Experiment, ExperimentContext, fixed, markdownTable, summariseAlignment, wilson, writeAlignmentPlot, writeOut } from './experiment';

const INPUTS = Matrix.from([
  [-1, -1],
  [-1, 1],
  [1, -1],
  [1, 1],
]);

/** Every Boolean function of two ±1 inputs, as its four ±1 outputs, named where it has a common name. */
function booleanTasks(): { name: string; t: Matrix }[] {
  const names: Record<string, string> = { '---+': 'AND', '-+++': 'OR', '+++-': 'NAND', '+---': 'NOR', '-++-': 'XOR', '+--+': 'XNOR' };
  const tasks = [];
  for (let code = 0; code < 16; code++) {
    const t = Matrix.from([[0, 1, 2, 3].map((i) => ((code >> i) & 1 ? 1 : -1))]);
    const key = Array.from(t.data, (v) => (v > 0 ? '+' : '-')).join('');
    tasks.push({ name: names[key] ?? key, t });
  }
  return tasks;
}

/** Meta-training sees the linearly separable functions except AND, which is held out; XOR and XNOR no single unit can learn. */
const HELD_OUT = 'AND';
const INSEPARABLE = ['XOR', 'XNOR'];
const STEPS = 20;
const HIDDEN = 8;
/** The LSTM rule's hidden size, as in the reference sketch (nn.LSTM(·, 10)). */
const LSTM_HIDDEN = 10;
const STEP_SIZE = 0.1;
const META_STEPS = 1500;
const META_LR = 0.01;
const EVALUATE = ['AND', 'OR', 'NAND', 'XOR'];
const BASELINE_STEP_SIZES = [0.1, 0.5, 1];

/** The two learned rules: the memoryless per-synapse MLP and the per-synapse LSTM. */
const VARIANTS = ['mlp', 'lstm'] as const;
type Variant = (typeof VARIANTS)[number];

/** A learned rule of either kind, as the meta-parameters and an update for one unrolled unit. */
interface LearnedRule {
  parameters: Node[];
  /** A fresh update for the next unit built on this rule's graph. */
  update(): SynapseUpdate;
}

function makeRule(variant: Variant, graph: Graph, rng: Rng): LearnedRule {
  if (variant === 'mlp') {
    const rule = new MetaRule(graph, HIDDEN, rng, STEP_SIZE);
    return { parameters: rule.parameters, update: () => rule.update };
  }
  const rule = new LstmMetaRule(graph, LSTM_HIDDEN, rng, STEP_SIZE);
  return { parameters: rule.parameters, update: () => rule.sequence() };
}

const DESCRIPTION: Record<Variant, string> = {
  mlp: `shared MLP 4→${HIDDEN}→1`,
  lstm: `shared LSTM 4→${LSTM_HIDDEN} with a linear readout to 1, one (h, c) per synapse`,
};

/** Which learned rules to run, from the `rule` option (default both). */
function chosenVariants(option: string | undefined): Variant[] {
  if (option === undefined || option === 'both') return [...VARIANTS];
  if ((VARIANTS as readonly string[]).includes(option)) return [option as Variant];
  throw new UsageError(`meta-rule: --rule must be one of ${VARIANTS.join(', ')}, both; got '${option}'`);
}

interface Learner {
  name: string;
  unit: UnrolledUnit;
}

function learner(name: string, steps: number, update: (g: Graph) => SynapseUpdate): Learner {
  const graph = new Graph();
  return { name, unit: new UnrolledUnit(graph, 2, 4, steps, update(graph)) };
}

function sampleRun(rng: Rng, steps: number): { order: Int32Array; w0: Matrix } {
  const order = new Int32Array(steps);
  for (let s = 0; s < steps; s++) order[s] = rng.int(4);
  return { order, w0: uniform(rng, 1, 3, -0.5, 0.5) };
}

interface Score {
  learner: string;
  steps: number;
  task: string;
  successes: number;
  replications: number;
  ci: [number, number];
  meanLoss: number;
}

/**
 * Each step's Δw against the gradient of that step's own loss ½(y − t)², whose gradient is
 * (y − t)(1 − y²)·[x, 1]: how far a rule is from gradient descent on the example it just saw.
 */
function traceSteps(l: Learner, task: string, trace: Alignment[]): void {
  const { unit } = l;
  // forward is lazy: a rule that never reads the output (Hebb) leaves the outputs uncomputed until asked
  const value = (n: Node): Matrix => unit.graph.forward(n);
  for (let s = 0; s < unit.steps; s++) {
    const before = value(s === 0 ? unit.w0 : unit.ws[s - 1]);
    const delta = value(unit.ws[s]).clone();
    for (let i = 0; i < delta.size; i++) delta.data[i] -= before.data[i];
    const y = value(unit.ys[s]).data[0];
    const t = value(unit.targets[s]).data[0];
    const gradient = value(unit.xs[s]).clone();
    for (let i = 0; i < gradient.size; i++) gradient.data[i] *= (y - t) * (1 - y * y);
    trace.push(alignment(s, `${l.name} on ${task}`, 'w', delta, gradient));
  }
}

/** Every learner meets the same runs: one generator per learner, restarted from `seed`, walks the tasks in the same order. */
function scoreAll(l: Learner, tasks: { name: string; t: Matrix }[], seed: number, replications: number, trace: Alignment[]): Score[] {
  const rng = new Rng(seed);
  return tasks.map((task) => score(l, task, rng, replications, trace));
}

function score(l: Learner, task: { name: string; t: Matrix }, rng: Rng, replications: number, trace: Alignment[]): Score {
  let successes = 0;
  let lossSum = 0;
  for (let r = 0; r < replications; r++) {
    const { order, w0 } = sampleRun(rng, l.unit.steps);
    l.unit.feed(INPUTS, task.t, order, w0);
    lossSum += l.unit.graph.forward(l.unit.loss).data[0];
    if (r === 0 && task.name === HELD_OUT) traceSteps(l, task.name, trace);
    const y = l.unit.taskY.value;
    if (Array.from(task.t.data).every((t, i) => t > 0 === y.data[i] > 0)) successes++;
  }
  return { learner: l.name, steps: l.unit.steps, task: task.name, successes, replications, ci: wilson(successes, replications), meanLoss: lossSum / replications };
}

interface MetaTraining {
  variant: Variant;
  rule: LearnedRule;
  curve: number[];
}

/**
 * Meta-training: each meta-step draws a training task, a step order and starting weights,
 * unrolls STEPS rule-driven steps and takes one Adam step on the rule's parameters against
 * the task loss after them. Every variant sees the same draws (its own generator from `seed`).
 */
function metaTrain(variant: Variant, ctx: ExperimentContext, training: { name: string; t: Matrix }[], metaSteps: number): MetaTraining {
  const graph = new Graph();
  const rule = makeRule(variant, graph, new Rng(ctx.seed));
  const unit = new UnrolledUnit(graph, 2, 4, STEPS, rule.update());
  const optimizer = new Adam(rule.parameters, { lr: META_LR });
  const draws = new Rng(ctx.seed + 2);
  const curve: number[] = [];
  const progress = ctx.progress(`meta-rule ${variant}`, metaSteps);
  let window = 0;
  for (let m = 0; m < metaSteps; m++) {
    const task = training[draws.int(training.length)];
    const { order, w0 } = sampleRun(draws, STEPS);
    unit.feed(INPUTS, task.t, order, w0);
    graph.backward(unit.loss);
    optimizer.step();
    window += unit.loss.value.data[0];
    if ((m + 1) % 50 === 0 || m + 1 === metaSteps) {
      curve.push(window / ((m % 50) + 1));
      window = 0;
    }
    progress.update(m + 1, `task loss ${fixed(curve.at(-1) ?? NaN)}`);
  }
  progress.finish();
  return { variant, rule, curve };
}

/**
 * Learned local rules: a shared per-synapse MLP on (pre, post, weight, target), and a shared
 * per-synapse LSTM on the sequence of the same signals, each meta-trained by backpropagating
 * through 20 unrolled rule-driven steps of a tanh unit, then tested on a held-out task and
 * for twice as many steps, beside Hebb and the delta rule on the same runs.
 */
export const metaRule: Experiment = {
  name: 'meta-rule',
  summary: 'meta-learn a per-synapse rule (MLP or LSTM) through an unrolled inner loop; test on held-out AND',
  defaultReplications: 100,
  replicates: true,
  async run(ctx: ExperimentContext) {
    const variants = chosenVariants(ctx.options?.rule);
    const tasks = booleanTasks();
    const training = tasks.filter((t) => t.name !== HELD_OUT && !INSEPARABLE.includes(t.name));
    const metaSteps = ctx.quick ? 20 : META_STEPS;
    const trained = variants.map((v) => metaTrain(v, ctx, training, metaSteps));

    const learned = ({ variant, rule }: MetaTraining, steps: number): Learner =>
      learner(`learned ${variant} (${steps} steps)`, steps, (g) => {
        const copy = makeRule(variant, g, new Rng(0));
        copy.parameters.forEach((p, i) => p.assign(rule.parameters[i].value));
        return copy.update();
      });
    const learners: Learner[] = [
      ...trained.flatMap((t) => [learned(t, STEPS), learned(t, 2 * STEPS)]),
      // the learned rules pick their own step size, so the fixed rules get a few
      ...BASELINE_STEP_SIZES.map((eta) => learner(`hebbian η=${eta}`, STEPS, () => hebbianUpdate(eta))),
      ...BASELINE_STEP_SIZES.map((eta) => learner(`delta η=${eta}`, STEPS, () => deltaUpdate(eta))),
      learner('no learning', STEPS, (g) => {
        const none = g.constant('none', zeros(1, 3));
        return () => none;
      }),
    ];
    const trace: Alignment[] = [];
    const evaluated = EVALUATE.map((name) => tasks.find((t) => t.name === name) as { name: string; t: Matrix });
    const scores = learners.flatMap((l) => scoreAll(l, evaluated, ctx.seed + 1, ctx.replications, trace));

    const files: (string | null)[] = [
      writeOut(ctx.out, 'alignment.jsonl', toJsonl(trace)),
      ...writeAlignmentPlot(ctx.out, 'alignment', `${HELD_OUT}: each step's Δw against −∇ of that step's loss`, trace),
    ];
    const svg = linePlot(
      trained.map((t) => ({ name: `${t.variant}: task loss after the unrolled steps`, x: t.curve.map((_, i) => Math.min((i + 1) * 50, metaSteps)), y: t.curve })),
      { title: 'meta-training of the per-synapse rules', xLabel: 'meta-step', yLabel: 'mean (y − t)²' },
    );
    files.push(writeOut(ctx.out, 'meta-training.svg', svg));
    if (ctx.out !== null) files.push(writeOut(ctx.out, 'meta-training.png', svgToPng(svg)));
    const table = markdownTable(
      ['rule', 'steps', ...EVALUATE.map((t) => `${t}${t === HELD_OUT ? ' (held out)' : ''} success [95%]`), 'mean final loss (AND)'],
      learners.map((l) => {
        const mine = scores.filter((s) => s.learner === l.name);
        return [
          l.name,
          l.unit.steps,
          ...mine.map((s) => `${fixed(s.successes / s.replications, 2)} [${fixed(s.ci[0], 2)}, ${fixed(s.ci[1], 2)}]`),
          fixed(mine[0].meanLoss),
        ];
      }),
    );
    const params = Object.fromEntries(trained.map((t) => [t.variant, Object.fromEntries(t.rule.parameters.map((p) => [p.name, p.value.toArray()]))]));
    const curves = Object.fromEntries(trained.map((t) => [t.variant, t.curve]));
    const markdown =
      `## Meta-learned local rules (${STEPS} unrolled steps; ${metaSteps} meta-steps of Adam ${META_LR}; ${ctx.replications} replications per cell; seed ${ctx.seed})\n\n` +
      `Learned rules, each on (pre, post, weight, target) per synapse, Δw = ${STEP_SIZE} · output: ${trained.map((t) => `${t.variant}, ${DESCRIPTION[t.variant]}`).join('; ')}.\n\n` +
      `Meta-training tasks: the ${training.length} linearly separable functions of two ±1 inputs other than ${HELD_OUT}; every learned rule meets the same meta-training draws, ` +
      `and every row of the table the same evaluation runs (step orders and starting weights).\n\n${table}\n` +
      `### Alignment of each step's Δw with −∇ of that step's loss ½(y − t)² (first ${HELD_OUT} replication of each rule)\n\n${summariseAlignment(trace)}`;
    return { name: 'meta-rule', data: { metaSteps, variants, curves, scores, params }, markdown, files: files.filter((f): f is string => f !== null) };
  },
};
