import { matmul } from '../backend/select';
import { ShapeError, UsageError } from '../errors';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { mse } from '../losses/mse';
import { inner } from '../ops/inner';
import { scale } from '../ops/scale';
import { sigmoid } from '../ops/sigmoid';
import { uniform } from '../tensor/init';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { backpropRule } from './backprop';
import { applyRule, LearningRule, Synapse, synapseSource } from './rule';

/**
 * The delta rule of a sigmoid unit toward a local target: gradient descent on ½‖target − post‖²
 * with the unit's own input held fixed, nothing from further away.
 * ΔW = lr · preᵀ · ((target − post) ⊙ post ⊙ (1 − post))
 */
export function sigmoidDeltaRule(lr: number): LearningRule {
  let error: Matrix | null = null;
  return {
    name: 'delta',
    reads: ['pre', 'post', 'target'],
    delta({ pre, post, target }, delta) {
      if (error === null || error.rows !== post.rows || error.cols !== post.cols) error = new Matrix(post.rows, post.cols, post.dtype);
      const e = error.data;
      for (let i = 0; i < e.length; i++) {
        const p = post.data[i];
        e[i] = (target.data[i] - p) * p * (1 - p);
      }
      matmul(pre, error, delta, true, false, lr);
    },
  };
}

/**
 * The reference write-up's own heuristic update: each output unit j of a section moves by the sum
 * of its two differences, (input_j − post_j) + (facing_j − post_j) (the pipes have one width, so
 * the section's input has a unit j too), shared among its incoming weights in proportion to
 * their part of the column sum. With the mean of input and facing section as `target` the sum
 * of the two differences is 2 · (target − post), so
 * ΔW[i, j] = lr · 2 · (target_j − post_j) · W[i, j] / Σₖ W[k, j]
 * The input's own values never multiply ΔW: it is a share of the error, not a Hebbian product.
 * A column whose sum is near zero gets a huge share (the reference does not guard it, nor
 * does this; the weights may blow up, which is part of what is measured).
 */
export function creditShareRule(lr: number): LearningRule {
  return {
    name: 'credit-share',
    reads: ['weight', 'post', 'target'],
    delta({ weight, post, target }, delta) {
      if (post.rows !== 1) throw new ShapeError(`credit-share: updates one example at a time, got a batch of ${post.rows}`);
      const { rows, cols } = weight;
      for (let j = 0; j < cols; j++) {
        let columnSum = 0;
        for (let i = 0; i < rows; i++) columnSum += weight.get(i, j);
        const move = (lr * 2 * (target.data[j] - post.data[j])) / columnSum;
        for (let i = 0; i < rows; i++) delta.set(i, j, move * weight.get(i, j));
      }
    },
  };
}

/** The exchange updates the experiment compares: the sigmoid delta rule, and the reference write-up's credit share. */
export const EXCHANGE_UPDATES = ['delta', 'seed000'] as const;
export type ExchangeUpdate = (typeof EXCHANGE_UPDATES)[number];

export function exchangeRule(update: ExchangeUpdate, lr: number): LearningRule {
  return update === 'delta' ? sigmoidDeltaRule(lr) : creditShareRule(lr);
}

/**
 * The Neural Heat Exchanger: two pipes of sigmoid sections of one width, without biases.
 * Pipe F carries the input x from left to right, pipe B carries the target y from right to
 * left. Section i of each pipe learns only from what touches it: its own input (the section
 * before it in its pipe) and the facing section i of the other pipe. Its local target is the
 * mean of the two, and the exchange rule (the delta rule, or the credit share) pulls it
 * toward both at once; no gradient travels.
 */
export class HeatExchanger {
  readonly graph = new Graph();
  readonly x: Node;
  readonly y: Node;
  /** Sections of F, left to right, and of B, indexed by the same position (B[i] faces F[i]). */
  readonly pipeF: Synapse[] = [];
  readonly pipeB: Synapse[] = [];
  /** F's output, the prediction. */
  readonly output: Node;
  /** ½‖F's output − y‖²: what a backprop-trained F would descend, and what alignment compares with. */
  readonly loss: Node;
  private readonly targets: Matrix[];
  private readonly deltas: Matrix[] = [];

  /** Weights start uniform in [−1, 1], as in the reference write-up. */
  constructor(readonly width: number, readonly sections: number, rng: Rng) {
    if (!Number.isInteger(width) || width < 1 || !Number.isInteger(sections) || sections < 1) {
      throw new UsageError(`HeatExchanger: width and sections must be positive integers, got ${width} and ${sections}`);
    }
    const g = this.graph;
    this.x = g.input('x', 1, width);
    this.y = g.input('y', 1, width);
    const section = (pipe: string, i: number, pre: Node): Synapse => {
      const weight = g.param(`${pipe}${i}.W`, uniform(rng, width, width, -1, 1));
      const z = inner(pre, weight, `${pipe}${i}.z`);
      return { name: `${pipe}${i}`, weight, pre, preActivation: z, post: sigmoid(z, `${pipe}${i}`) };
    };
    let f = this.x;
    for (let i = 0; i < sections; i++) {
      this.pipeF.push(section('F', i, f));
      f = this.pipeF[i].post;
    }
    let b = this.y;
    const fromRight: Synapse[] = [];
    for (let i = sections - 1; i >= 0; i--) {
      fromRight.push(section('B', i, b));
      b = fromRight[fromRight.length - 1].post;
    }
    this.pipeB = fromRight.reverse();
    this.output = f;
    this.loss = scale(mse(this.output, this.y, 'sum'), 0.5, 'loss');
    this.targets = [...this.pipeF, ...this.pipeB].map(() => new Matrix(1, width));
  }

  /** Every weight, F's sections then B's. */
  get synapses(): Synapse[] {
    return [...this.pipeF, ...this.pipeB];
  }

  predict(x: Matrix): Matrix {
    this.x.feed(x);
    return this.graph.forward(this.output);
  }

  /** One exchange on (x, y): every section of both pipes moves, by `rule`, toward the mean of its input and its facing section. */
  step(x: Matrix, y: Matrix, rule: LearningRule): Matrix[] {
    this.x.feed(x);
    this.y.feed(y);
    const all = this.synapses;
    const n = this.sections;
    return applyRule(
      rule,
      all,
      (s, k) => ({
        ...synapseSource(s),
        target: () => {
          const facing = k < n ? this.pipeB[k].post : this.pipeF[k - n].post;
          return meanInto(this.targets[k], this.graph.forward(s.pre), this.graph.forward(facing));
        },
      }),
      this.deltas,
    );
  }

  /** The same pipe F trained by backprop on ½‖F(x) − y‖² instead (B is left alone). */
  backpropStep(x: Matrix, y: Matrix, lr: number): Matrix[] {
    this.trueGradients(x, y);
    return applyRule(backpropRule(lr), this.pipeF, (s) => ({ ...synapseSource(s), error: () => s.preActivation.grad as Matrix }), this.deltas);
  }

  /** ∂loss/∂W of F's sections at (x, y). */
  trueGradients(x: Matrix, y: Matrix): Matrix[] {
    this.x.feed(x);
    this.y.feed(y);
    this.graph.backward(this.loss);
    return this.pipeF.map((s) => s.weight.grad as Matrix);
  }
}

function meanInto(out: Matrix, a: Matrix, b: Matrix): Matrix {
  for (let i = 0; i < out.size; i++) out.data[i] = 0.5 * (a.data[i] + b.data[i]);
  return out;
}
