import { UsageError } from '../errors';
import type { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { add } from '../ops/add';
import { inner } from '../ops/inner';
import { relu } from '../ops/relu';
import { sigmoid } from '../ops/sigmoid';
import { tanh } from '../ops/tanh';
import { uniform } from '../tensor/init';
import { Rng } from '../tensor/rng';

export type Activation = 'tanh' | 'sigmoid' | 'relu' | 'none';

export const activations: readonly Activation[] = ['tanh', 'sigmoid', 'relu', 'none'];

export interface FeedForwardOptions {
  /** Applied to x·W + b (default 'tanh'). */
  activation?: Activation;
  /** Add the bias row b (default true). */
  bias?: boolean;
}

/**
 * A dense layer, y = act(x · W + b), with W [in × out] and b [1 × out] broadcast over the rows.
 * The Scala FeedForwardTanH and FeedForwardSigmoid are this block with activation 'tanh' and
 * 'sigmoid'. The parameters are made once, as `<name>.W` and `<name>.b`; `apply` wires them
 * onto an input and may be called again on other inputs (each call in its own scope), which
 * shares the parameters: the engine sums what every application sends them.
 *
 * Initialisation is PyTorch's nn.Linear default, U(±1/√in) for W and b, so that a model and
 * its PyTorch twin start from the same distribution.
 */
export class FeedForward {
  readonly graph: Graph;
  readonly name: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly weight: Node;
  readonly bias: Node | null;

  constructor(graph: Graph, name: string, inputSize: number, outputSize: number, rng: Rng, options: FeedForwardOptions = {}) {
    for (const [what, n] of [['inputSize', inputSize], ['outputSize', outputSize]] as const) {
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`FeedForward '${name}': ${what} must be a positive integer, got ${n}`);
    }
    const activation = options.activation ?? 'tanh';
    if (!activations.includes(activation)) {
      throw new UsageError(`FeedForward '${name}': activation must be one of ${activations.join(', ')}, got ${String(activation)}`);
    }
    this.graph = graph;
    this.name = name;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.activation = activation;
    const bound = 1 / Math.sqrt(inputSize);
    [this.weight, this.bias] = graph.scope(name, () => [
      graph.param('W', uniform(rng, inputSize, outputSize, -bound, bound, graph.dtype)),
      options.bias ?? true ? graph.param('b', uniform(rng, 1, outputSize, -bound, bound, graph.dtype)) : null,
    ]);
  }

  /** The parameters of this layer. */
  get parameters(): Node[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  /**
   * Wires act(x · W + b) onto `x` inside scope `at` (default: the layer's name), as nodes
   * `<at>.xW`, `<at>.z` (with a bias) and `<at>.y` (with an activation). Returns the output.
   */
  apply(x: Node, at: string = this.name): Node {
    return this.graph.scope(at, () => {
      const product = inner(x, this.weight, 'xW');
      const z = this.bias ? add(product, this.bias, 'z') : product;
      switch (this.activation) {
        case 'tanh':
          return tanh(z, 'y');
        case 'sigmoid':
          return sigmoid(z, 'y');
        case 'relu':
          return relu(z, 'y');
        case 'none':
          return z;
      }
    });
  }
}
