import { FeedForward } from '../blocks/feedforward';
import { Lstm, LstmState } from '../blocks/lstm';
import { UsageError } from '../errors';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { mse } from '../losses/mse';
import { add } from '../ops/add';
import { concat } from '../ops/concat';
import { inner } from '../ops/inner';
import { mul } from '../ops/mul';
import { scale } from '../ops/scale';
import { sub } from '../ops/sub';
import { sum } from '../ops/sum';
import { tanh } from '../ops/tanh';
import { normal, zeros } from '../tensor/init';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

/** The local signals of every synapse of one unit, each a row with one column per synapse. */
export interface SynapseRows {
  pre: Node;
  post: Node;
  weight: Node;
  target: Node;
}

/** A per-synapse update written as graph nodes: Δw (1 × synapses) from the rows; `ones` is a 1 × synapses row of ones. */
export type SynapseUpdate = (rows: SynapseRows, ones: Node) => Node;

/** How many signals the rule reads per synapse: pre, post, weight, target. */
const FEATURES = 4;

/**
 * A learned local rule: one small MLP, shared by every synapse, maps the synapse's
 * (pre, post, weight, target) to its weight change, Δw = η · (c · tanh(A f + b) + d).
 * It is built from graph nodes, so an inner loop of rule-driven updates unrolled in a graph
 * can be differentiated with respect to A, b, c, d (meta-learning). The features of all
 * synapses are laid out as the columns of one FEATURES × synapses matrix, so the MLP runs on
 * every synapse in one product.
 */
export class MetaRule {
  readonly A: Node;
  readonly b: Node;
  readonly c: Node;
  readonly d: Node;
  private readonly basis: Node[];

  constructor(readonly graph: Graph, hidden: number, rng: Rng, readonly stepSize = 0.1) {
    if (!Number.isInteger(hidden) || hidden < 1) throw new UsageError(`MetaRule: hidden must be a positive integer, got ${hidden}`);
    this.A = graph.param('meta.A', normal(rng, hidden, FEATURES, 0, 1 / Math.sqrt(FEATURES)));
    this.b = graph.param('meta.b', zeros(hidden, 1));
    this.c = graph.param('meta.c', normal(rng, 1, hidden, 0, 1 / Math.sqrt(hidden)));
    this.d = graph.param('meta.d', zeros(1, 1));
    // e_k (FEATURES × 1): e_k · row puts a row into row k of the feature matrix
    this.basis = Array.from({ length: FEATURES }, (_, k) => {
      const e = zeros(FEATURES, 1);
      e.data[k] = 1;
      return graph.constant(`meta.e${k}`, e);
    });
  }

  /** The parameters meta-training changes. */
  get parameters(): Node[] {
    return [this.A, this.b, this.c, this.d];
  }

  /** Δw for the synapses whose signals are `rows` (each 1 × synapses); `ones` is a 1 × synapses row of ones. */
  readonly update: SynapseUpdate = (rows, ones) => {
    const [pre, post, weight, target] = [rows.pre, rows.post, rows.weight, rows.target].map((r, k) => inner(this.basis[k], r));
    const features = add(add(add(pre, post), weight), target);
    const hidden = tanh(add(inner(this.A, features), inner(this.b, ones)));
    return scale(add(inner(this.c, hidden), inner(this.d, ones)), this.stepSize);
  };
}

/**
 * A learned local rule with a memory: one small LSTM (the Lstm block), shared by every synapse,
 * reads the synapse's (pre, post, weight, target) at each step of the inner loop, and a linear
 * readout of its h gives the weight change, Δw = η · (v · h + d). Each synapse is one row of
 * the LSTM's batch, so every synapse carries its own (h, c) through the steps while all share
 * W, b, v and d. Like MetaRule it is graph nodes only, so meta-training backpropagates through
 * the unrolled inner loop and through the LSTM's own recurrence.
 */
export class LstmMetaRule {
  readonly lstm: Lstm;
  readonly readout: FeedForward;
  private sequences = 0;

  constructor(readonly graph: Graph, hidden: number, rng: Rng, readonly stepSize = 0.1) {
    if (!Number.isInteger(hidden) || hidden < 1) throw new UsageError(`LstmMetaRule: hidden must be a positive integer, got ${hidden}`);
    this.lstm = new Lstm(graph, 'metaLstm', FEATURES, hidden, rng);
    this.readout = new FeedForward(graph, 'metaLstm.readout', hidden, 1, rng, { activation: 'none' });
  }

  /** The parameters meta-training changes. */
  get parameters(): Node[] {
    return [...this.lstm.parameters, ...this.readout.parameters];
  }

  /**
   * A fresh sequence: an update that starts every synapse from h = c = 0 and advances the LSTM
   * one step per call, so it must be called once per inner-loop step, in order (one sequence
   * per unrolled unit).
   */
  sequence(): SynapseUpdate {
    const g = this.graph;
    const at = `seq${this.sequences++}`;
    let state: LstmState | null = null;
    let eye: Node;
    let onesColumn: Node;
    let step = 0;
    return (rows, ones) => {
      const n = ones.cols;
      if (state === null) {
        [state, eye, onesColumn] = g.scope(`metaLstm.${at}`, () => {
          const zero = g.constant('state0', zeros(n, this.lstm.hiddenSize));
          const identity = zeros(n, n);
          for (let i = 0; i < n; i++) identity.set(i, i, 1);
          return [{ h: zero, c: zero }, g.constant('eye', identity), g.constant('onesColumn', new Matrix(n, 1).fill(1))] as const;
        });
      }
      // There is no transpose node: diag(r) = I ⊙ (1 · r) holds row r on its diagonal, whose row
      // sums are r as a column and whose column sums (1ᵀ · diag) are r as a row again.
      const column = (r: Node): Node => sum(mul(eye, inner(onesColumn, r)), 'row');
      const features = concat([rows.pre, rows.post, rows.weight, rows.target].map(column));
      state = this.lstm.step(features, state, `${at}.t${++step}`);
      const perSynapse = this.readout.apply(state.h, `metaLstm.readout.${at}.t${step}`);
      return scale(inner(ones, mul(eye, inner(perSynapse, ones))), this.stepSize);
    };
  }
}

/**
 * One tanh unit with a bias input, y = tanh(w · [x, 1]), learning in the graph for `steps`
 * steps: w₍ₜ₊₁₎ = w₍ₜ₎ + Δw(pre = [xₜ, 1], post = yₜ, weight = w₍ₜ₎, target = tₜ). After the
 * last step it is scored on a whole task, `loss` = mean (y − t)² over the task's examples.
 */
export class UnrolledUnit {
  readonly w0: Node;
  readonly xs: Node[] = [];
  readonly targets: Node[] = [];
  /** The unit's output at each step, and its weights after each step. */
  readonly ys: Node[] = [];
  readonly ws: Node[] = [];
  readonly taskX: Node;
  readonly taskT: Node;
  readonly taskY: Node;
  readonly loss: Node;

  /**
   * @param inputs  inputs of the unit (the bias input is added)
   * @param examples rows of the task the unit is scored on
   */
  constructor(readonly graph: Graph, inputs: number, examples: number, readonly steps: number, update: SynapseUpdate) {
    const n = inputs + 1;
    const ones = graph.constant('unit.ones', new Matrix(1, n).fill(1));
    this.w0 = graph.input('unit.w0', 1, n);
    let w = this.w0;
    for (let t = 0; t < steps; t++) {
      w = graph.scope(`step${t}`, () => {
        const x = graph.input('x', 1, n);
        const target = graph.input('target', 1, 1);
        this.xs.push(x);
        this.targets.push(target);
        const y = tanh(sum(mul(x, w), 'row'), 'y');
        this.ys.push(y);
        return add(w, update({ pre: x, post: inner(y, ones), weight: w, target: inner(target, ones) }, ones), 'w');
      });
      this.ws.push(w);
    }
    this.taskX = graph.input('task.x', n, examples);
    this.taskT = graph.input('task.t', 1, examples);
    this.taskY = tanh(inner(w, this.taskX), 'task.y');
    this.loss = mse(this.taskY, this.taskT, 'mean', 'task.loss');
  }

  /** Feeds a task: its examples (rows of x, bias added here), targets, the order of the steps and the starting weights. */
  feed(x: Matrix, t: Matrix, order: ArrayLike<number>, w0: Matrix): void {
    const n = x.cols + 1;
    const column = new Matrix(n, x.rows);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < x.cols; j++) column.set(j, i, x.get(i, j));
      column.set(x.cols, i, 1);
    }
    this.taskX.feed(column);
    this.taskT.feed(new Matrix(1, t.size, 'float64', Float64Array.from(t.data)));
    for (let s = 0; s < this.steps; s++) {
      const i = order[s];
      const row = new Matrix(1, n);
      for (let j = 0; j < x.cols; j++) row.data[j] = x.get(i, j);
      row.data[x.cols] = 1;
      this.xs[s].feed(row);
      this.targets[s].feed(Matrix.scalar(t.data[i]));
    }
    this.w0.feed(w0);
  }
}

/** Supervised Hebb as a SynapseUpdate, for comparison: Δw = η · pre · target. */
export function hebbianUpdate(stepSize: number): SynapseUpdate {
  return ({ pre, target }) => scale(mul(pre, target), stepSize);
}

/** The delta rule of a tanh unit as a SynapseUpdate: Δw = η · pre · (target − post) · (1 − post²). */
export function deltaUpdate(stepSize: number): SynapseUpdate {
  return ({ pre, post, target }, ones) => scale(mul(mul(pre, sub(target, post)), sub(ones, mul(post, post))), stepSize);
}
