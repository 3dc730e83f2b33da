import { FeedForward } from '../blocks/feedforward';
import { UsageError } from '../errors';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { mse } from '../losses/mse';
import { concat } from '../ops/concat';
import { scale } from '../ops/scale';
import type { Optimizer } from '../optim/optimizer';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

export interface SyntheticGradientOptions {
  rng: Rng;
  /** The synthesiser's optimizer, built on its parameters. */
  optimizer: (params: Node[]) => Optimizer;
  /** Width of one hidden ReLU layer; 0 (default) makes the synthesiser linear. */
  hidden?: number;
  /** Width of a conditioning input (cDNI: the one-hot label); 0 (default) for none. */
  context?: number;
  /** BP(λ): the gradient passed on is λ·true + (1 − λ)·synthetic (default 0, pure DNI). */
  lambda?: number;
}

/** How the synthetic gradient of the last pass compared with the gradient that arrived. */
export interface SyntheticGradientStats {
  /** ½‖ĝ − g‖², the synthesiser's own loss. */
  loss: number;
  /** ‖ĝ − g‖ / ‖g‖ (null when g = 0). */
  relativeError: number | null;
  /** cos(ĝ, g) (null when either is zero). */
  cosine: number | null;
}

/**
 * A decoupled neural interface at one node h of a graph: a small synthesiser of its own graph
 * maps h (and a context, for cDNI) to ĝ ≈ ∂L/∂h. Attached through h's intercept port: when the
 * gradient from above arrives at h, the synthesiser is trained one step toward it and the
 * gradient passed on below is ĝ (or the BP(λ) mix), so the layers below learn from ĝ alone.
 *
 * With interfaces at several nodes of one chain, the gradient that arrives at a lower
 * interface is the backprop of the synthetic gradient of the interface above through the
 * module between them: the bootstrapped target of DNI. The synthesiser's last layer starts
 * at zero, so it says "no gradient" until it has learned something.
 */
export class SyntheticGradient {
  readonly graph: Graph;
  readonly h: Node;
  readonly context: Node | null;
  readonly output: Node;
  readonly target: Node;
  readonly loss: Node;
  readonly optimizer: Optimizer;
  lambda: number;
  /**
   * train: pass ĝ (or the BP(λ) mix) on and train the synthesiser toward the arriving gradient;
   * frozen: pass ĝ on, learn nothing; true: pass the arriving gradient on untouched, learn nothing.
   * The last two let a diagnostic compare DNI's updates with backprop's at one state.
   */
  mode: 'train' | 'frozen' | 'true' = 'train';
  /** Statistics of the latest gradient that arrived. */
  last: SyntheticGradientStats | null = null;
  private readonly passOn: Matrix;
  private seeding = false;

  constructor(readonly at: Node, options: SyntheticGradientOptions) {
    const lambda = options.lambda ?? 0;
    if (!(lambda >= 0 && lambda <= 1)) throw new UsageError(`SyntheticGradient at '${at.name}': lambda must be in [0, 1], got ${lambda}`);
    if (at.interceptor) throw new UsageError(`SyntheticGradient: ${at.describe()} already has an interceptor`);
    this.lambda = lambda;
    const [rows, cols] = at.shape;
    const g = new Graph({ dtype: at.graph.dtype });
    this.graph = g;
    this.h = g.input('h', rows, cols);
    this.context = options.context ? g.input('context', rows, options.context) : null;
    this.target = g.input('target', rows, cols);
    const input = this.context ? concat([this.h, this.context], 'input') : this.h;
    const width = input.cols;
    const layers: FeedForward[] = [];
    let x = input;
    if (options.hidden) {
      layers.push(new FeedForward(g, 'hidden', width, options.hidden, options.rng, { activation: 'relu' }));
      x = layers[0].apply(x);
    }
    const last = new FeedForward(g, 'out', x.cols, cols, options.rng, { activation: 'none' });
    last.parameters.forEach((p) => p.assign(new Matrix(p.rows, p.cols, g.dtype)));
    layers.push(last);
    this.output = last.apply(x);
    this.loss = scale(mse(this.output, this.target, 'sum'), 0.5, 'loss');
    this.optimizer = options.optimizer(layers.flatMap((l) => l.parameters));
    this.passOn = new Matrix(rows, cols, g.dtype);
    at.intercept((gradient) => this.arrive(gradient));
  }

  /** Sets the conditioning input (cDNI) for the coming pass. */
  condition(context: Matrix): void {
    if (!this.context) throw new UsageError(`SyntheticGradient at '${this.at.name}': it was built without a context`);
    this.context.feed(context);
  }

  /** ĝ for the node's current value (a buffer of the synthesiser, valid until its next step). */
  synthesise(): Matrix {
    this.h.feed(this.at.graph.forward(this.at));
    return this.graph.forward(this.output);
  }

  /**
   * The immediate update of the layers below, without waiting for anything above: a backward
   * pass of the lower part alone, seeded at the node with ĝ.
   */
  backwardBelow(): void {
    const seed = this.synthesise().clone();
    this.seeding = true;
    try {
      this.at.graph.backward(this.at, seed);
    } finally {
      this.seeding = false;
    }
  }

  private arrive(gradient: Matrix): Matrix {
    if (this.seeding || this.mode === 'true') return gradient;
    const synthetic = this.synthesise();
    const lambda = this.lambda;
    const out = this.passOn.data;
    let dot = 0;
    let gg = 0;
    let ss = 0;
    let diff = 0;
    for (let i = 0; i < out.length; i++) {
      const g = gradient.data[i];
      const s = synthetic.data[i];
      out[i] = lambda * g + (1 - lambda) * s;
      dot += g * s;
      gg += g * g;
      ss += s * s;
      diff += (s - g) * (s - g);
    }
    this.last = {
      loss: 0.5 * diff,
      relativeError: gg > 0 ? Math.sqrt(diff / gg) : null,
      cosine: gg > 0 && ss > 0 ? dot / Math.sqrt(gg * ss) : null,
    };
    if (this.mode === 'train') {
      this.target.feed(gradient);
      this.graph.backward(this.loss);
      this.optimizer.step();
    }
    return this.passOn;
  }
}
