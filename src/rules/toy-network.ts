import { UsageError } from '../errors';
import { Graph } from '../graph/graph';
import { mse } from '../losses/mse';
import type { Node } from '../graph/node';
import { inner } from '../ops/inner';
import { relu } from '../ops/relu';
import { scale } from '../ops/scale';
import { tanh } from '../ops/tanh';
import { uniform } from '../tensor/init';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { backpropRule } from './backprop';
import { rewardHebbian, supervisedHebbian, unsupervisedHebbian } from './hebbian';
import { applyRule, LearningRule, SignalSource, Synapse, synapseSource } from './rule';

/** Hebbian weights live in [−1, 1]: without the clip, Hebb's positive feedback grows them without bound. */
const WEIGHT_CLIP = 1;

/**
 * A feed-forward network without biases: ReLU hidden layers and a tanh output, one example
 * per step, driven by Hebbian rules (or backprop). Two chains share the weights: the ReLU
 * chain that makes predictions, and a purely linear chain l₍ᵢ₊₁₎ = lᵢ · Wᵢ that the
 * unsupervised and reward-gated rules read their activity from.
 */
export class ToyNetwork {
  readonly graph = new Graph();
  readonly x: Node;
  readonly target: Node;
  readonly weights: Node[] = [];
  /** The ReLU chain: synapse i maps hᵢ to hᵢ₊₁ (the last one to the tanh output). */
  readonly synapses: Synapse[] = [];
  /** The linear chain over the same weights. */
  readonly linear: Synapse[] = [];
  readonly output: Node;
  /** ½‖output − target‖², the loss whose gradient the alignment diagnostics compare against. */
  readonly loss: Node;
  private readonly deltas: Matrix[] = [];

  /** Weights start as in a default linear layer: U(±1/√fanIn). */
  constructor(inputs: number, hidden: readonly number[], outputs: number, rng: Rng) {
    if (hidden.length === 0) throw new UsageError('ToyNetwork: needs at least one hidden layer');
    const g = this.graph;
    const sizes = [inputs, ...hidden, outputs];
    this.x = g.input('x', 1, inputs);
    this.target = g.input('target', 1, outputs);
    let h = this.x;
    let l = this.x;
    for (let i = 0; i + 1 < sizes.length; i++) {
      const bound = 1 / Math.sqrt(sizes[i]);
      const w = g.param(`W${i}`, uniform(rng, sizes[i], sizes[i + 1], -bound, bound));
      this.weights.push(w);
      const z = inner(h, w, `z${i}`);
      const post = i + 2 < sizes.length ? relu(z, `h${i + 1}`) : tanh(z, 'output');
      this.synapses.push({ name: `W${i}`, weight: w, pre: h, preActivation: z, post });
      const lz = inner(l, w, `l${i + 1}`);
      this.linear.push({ name: `W${i}`, weight: w, pre: l, preActivation: lz, post: lz });
      h = post;
      l = lz;
    }
    this.output = h;
    this.loss = scale(mse(this.output, this.target, 'sum'), 0.5, 'loss');
  }

  /** The network's output for one input row. */
  predict(x: Matrix): Matrix {
    this.x.feed(x);
    return this.graph.forward(this.output);
  }

  /**
   * Supervised Hebb, walking back from the output: the top weight's post side is the target,
   * every other weight's post side is its own ReLU output. W0 is never changed: the walk stops
   * before the first layer, which therefore stays a fixed random projection.
   */
  supervisedStep(x: Matrix, target: Matrix, lr: number): Matrix[] {
    this.x.feed(x);
    this.target.feed(target);
    const top = this.synapses.length - 1;
    const source = (s: Synapse, i: number): SignalSource => ({
      ...synapseSource(s),
      target: () => this.graph.forward(i + 1 === top ? this.target : s.post),
    });
    return this.step(supervisedHebbian(lr), this.synapses.slice(1), (s, i) => source(s, i));
  }

  /**
   * Unsupervised Hebb on the linear chain, layer by layer from the input: each layer's post side
   * is its linear output, and the next layer sees the output of the weights just changed.
   */
  unsupervisedStep(x: Matrix, lr: number): Matrix[] {
    this.x.feed(x);
    const rule = unsupervisedHebbian(lr);
    return this.linear.map((s, i) => applyRule(rule, [s], synapseSource, [this.deltaBuffer(i)], { clip: WEIGHT_CLIP })[0]);
  }

  /**
   * Hebb on the linear chain, gated by one global reward computed from the binarised prediction
   * p ∈ {0, 1} and target: c = 1 − 2·(p − t)² (1 if right, −1 if wrong), reward = −(2p − 1)·c.
   * All layers change at once, from the activity before the step.
   */
  semiSupervisedStep(x: Matrix, target: Matrix, lr: number): Matrix[] {
    if (target.size !== 1) throw new UsageError(`ToyNetwork.semiSupervisedStep: needs one output, got ${target.size}`);
    const p = this.predict(x).data[0] > 0 ? 1 : 0;
    const t = target.data[0] > 0 ? 1 : 0;
    const correct = 1 - 2 * (p - t) * (p - t);
    const reward = Matrix.scalar(-(2 * p - 1) * correct);
    const rule = rewardHebbian(lr);
    return this.step(rule, this.linear, (s) => ({ ...synapseSource(s), reward: () => reward }));
  }

  /** Gradient descent through the same graph (every layer, the error from a backward pass of the loss). */
  backpropStep(x: Matrix, target: Matrix, lr: number): Matrix[] {
    this.trueGradients(x, target);
    return this.step(backpropRule(lr), this.synapses, (s) => ({ ...synapseSource(s), error: () => s.preActivation.grad as Matrix }));
  }

  /** ∂loss/∂Wᵢ for every weight at (x, target), from the engine's backward pass. */
  trueGradients(x: Matrix, target: Matrix): Matrix[] {
    this.x.feed(x);
    this.target.feed(target);
    this.graph.backward(this.loss);
    return this.weights.map((w) => w.grad as Matrix);
  }

  private step(rule: LearningRule, synapses: readonly Synapse[], source: (s: Synapse, i: number) => SignalSource): Matrix[] {
    const buffers = synapses.map((s) => this.deltaBuffer(this.weights.indexOf(s.weight)));
    return applyRule(rule, synapses, source, buffers, { clip: WEIGHT_CLIP });
  }

  private deltaBuffer(i: number): Matrix {
    const w = this.weights[i].value;
    this.deltas[i] ??= new Matrix(w.rows, w.cols);
    return this.deltas[i];
  }
}
