import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { linePlot } from '../io/plot';
import { svgToPng } from '../io/render';
import { Adam } from '../optim/adam';
import { deltaUpdate, hebbianUpdate, MetaRule, SynapseUpdate, UnrolledUnit } from '../rules/meta-rule';
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
const STEP_SIZE = 0.1;
const META_STEPS = 1500;
const META_LR = 0.01;
const EVALUATE = ['AND', 'OR', 'NAND', 'XOR'];
const BASELINE_STEP_SIZES = [0.1, 0.5, 1];

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

/**
 * A learned local rule: a shared per-synapse MLP on (pre, post, weight, target), meta-trained
 * by backpropagating through 20 unrolled rule-driven steps of a tanh unit, then tested on a
 * held-out task and for twice as many steps, beside Hebb and the delta rule.
 */
export const metaRule: Experiment = {
  name: 'meta-rule',
  summary: 'meta-learn a per-synapse rule through an unrolled inner loop; test on held-out AND',
  defaultReplications: 100,
  replicates: true,
  async run(ctx: ExperimentContext) {
    const rng = new Rng(ctx.seed);
    const tasks = booleanTasks();
    const training = tasks.filter((t) => t.name !== HELD_OUT && !INSEPARABLE.includes(t.name));
    const metaSteps = ctx.quick ? 20 : META_STEPS;

    const trainGraph = new Graph();
    const rule = new MetaRule(trainGraph, HIDDEN, rng, STEP_SIZE);
    const unit = new UnrolledUnit(trainGraph, 2, 4, STEPS, rule.update);
    const optimizer = new Adam(rule.parameters, { lr: META_LR });
    const curve: number[] = [];
    const progress = ctx.progress('meta-rule', metaSteps);
    let window = 0;
    for (let m = 0; m < metaSteps; m++) {
      const task = training[rng.int(training.length)];
      const { order, w0 } = sampleRun(rng, STEPS);
      unit.feed(INPUTS, task.t, order, w0);
      trainGraph.backward(unit.loss);
      optimizer.step();
      window += unit.loss.value.data[0];
      if ((m + 1) % 50 === 0 || m + 1 === metaSteps) {
        curve.push(window / ((m % 50) + 1));
        window = 0;
      }
      progress.update(m + 1, `task loss ${fixed(curve.at(-1) ?? NaN)}`);
    }
    progress.finish();

    const learned = (steps: number): Learner =>
      learner(`learned (${steps} steps)`, steps, (g) => {
        const copy = new MetaRule(g, HIDDEN, new Rng(0), STEP_SIZE);
        copy.parameters.forEach((p, i) => p.assign(rule.parameters[i].value));
        return copy.update;
      });
    const learners: Learner[] = [
      learned(STEPS),
      learned(2 * STEPS),
      // the learned rule picks its own step size, so the fixed rules get a few
      ...BASELINE_STEP_SIZES.map((eta) => learner(`hebbian η=${eta}`, STEPS, () => hebbianUpdate(eta))),
      ...BASELINE_STEP_SIZES.map((eta) => learner(`delta η=${eta}`, STEPS, () => deltaUpdate(eta))),
      learner('no learning', STEPS, (g) => {
        const none = g.constant('none', zeros(1, 3));
        return () => none;
      }),
    ];
    const evalRng = new Rng(ctx.seed + 1);
    const trace: Alignment[] = [];
    const scores = learners.flatMap((l) => EVALUATE.map((name) => score(l, tasks.find((t) => t.name === name) as { name: string; t: Matrix }, evalRng, ctx.replications, trace)));

    const files: (string | null)[] = [
      writeOut(ctx.out, 'alignment.jsonl', toJsonl(trace)),
      ...writeAlignmentPlot(ctx.out, 'alignment', `${HELD_OUT}: each step's Δw against −∇ of that step's loss`, trace),
    ];
    const svg = linePlot([{ name: 'task loss after the unrolled steps', x: curve.map((_, i) => Math.min((i + 1) * 50, metaSteps)), y: curve }], {
      title: 'meta-training of the per-synapse rule',
      xLabel: 'meta-step',
      yLabel: 'mean (y − t)²',
    });
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
    const params = Object.fromEntries(rule.parameters.map((p) => [p.name, p.value.toArray()]));
    const markdown =
      `## A meta-learned local rule (shared MLP ${4}→${HIDDEN}→1 on pre, post, weight, target; ${STEPS} unrolled steps; ` +
      `${metaSteps} meta-steps of Adam ${META_LR}; ${ctx.replications} replications per cell; seed ${ctx.seed})\n\n` +
      `Meta-training tasks: the ${training.length} linearly separable functions of two ±1 inputs other than ${HELD_OUT}.\n\n${table}\n` +
      `### Alignment of each step's Δw with −∇ of that step's loss ½(y − t)² (first ${HELD_OUT} replication of each rule)\n\n${summariseAlignment(trace)}`;
    return { name: 'meta-rule', data: { metaSteps, curve, scores, params }, markdown, files: files.filter((f): f is string => f !== null) };
  },
};
