import { UsageError } from '../errors';
import type { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { applyGridActivation } from '../grid/activation';
import { composedGrid } from '../grid/composed';
import { fusedGrid } from '../grid/fused';
import { loopGrid } from '../grid/loop';
import { GridActivation, gridActivations } from '../ops/grid-step';
import { uniform, zeros } from '../tensor/init';
import { Rng } from '../tensor/rng';
import { FeedForward } from './feedforward';

/** How the grid columns are wired: fused GridStep nodes, composed existing kinds, or one node per neuron. */
export type GridImplementation = 'fused' | 'composed' | 'loop';

export const gridImplementations: readonly GridImplementation[] = ['fused', 'composed', 'loop'];

export interface NeuralGridOptions {
  /** Neurons per grid column (default 128). */
  height?: number;
  /** Column transitions after the input column (default 16). */
  width?: number;
  /** Activation of the input column and every grid neuron (default 'sin'). */
  activation?: GridActivation;
  /** Default 'fused'; the other two compute the same function (for tests and benchmarks). */
  implementation?: GridImplementation;
}

/**
 * NeuralGrid: a dense map from the input into a column of `height` neurons, `width` grid
 * columns in which neuron i of column j+1 reads neurons i−1, i, i+1 of column j, and a dense
 * map from the last column to the output (logits, no activation):
 *   a₀ = act(x·W_in + b_in);  a_{j+1}[i] = act(Σ_{k=i−1..i+1} W[j, k]·a_j[k] + B[j, i]);  y = a_width·W_out + b_out
 * W[j, k] is the one weight of neuron k in column j, shared by its three outgoing edges.
 * Initialisation as in the reference: W from Xavier-uniform with fan-in 3 and fan-out 1,
 * U(±√(6/4)), B zero; the dense maps as FeedForward (U(±1/√in)).
 */
export class NeuralGrid {
  readonly graph: Graph;
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly activation: GridActivation;
  readonly implementation: GridImplementation;
  readonly input: FeedForward;
  /** width×height: row j holds the weights of the neurons of column j. */
  readonly weights: Node;
  /** width×height: row j holds the biases of the neurons of column j+1. */
  readonly biases: Node;
  readonly output: FeedForward;

  constructor(graph: Graph, name: string, inputSize: number, outputSize: number, rng: Rng, options: NeuralGridOptions = {}) {
    this.height = options.height ?? 128;
    this.width = options.width ?? 16;
    this.activation = options.activation ?? 'sin';
    this.implementation = options.implementation ?? 'fused';
    for (const [what, n] of [['height', this.height], ['width', this.width]] as const) {
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`NeuralGrid '${name}': ${what} must be a positive integer, got ${n}`);
    }
    if (!gridActivations.includes(this.activation)) {
      throw new UsageError(`NeuralGrid '${name}': activation must be one of ${gridActivations.join(', ')}, got ${String(this.activation)}`);
    }
    if (!gridImplementations.includes(this.implementation)) {
      throw new UsageError(`NeuralGrid '${name}': implementation must be one of ${gridImplementations.join(', ')}, got ${String(this.implementation)}`);
    }
    this.graph = graph;
    this.name = name;
    const bound = Math.sqrt(6 / (3 + 1));
    [this.input, this.weights, this.biases, this.output] = graph.scope(name, () => [
      new FeedForward(graph, 'in', inputSize, this.height, rng, { activation: 'none' }),
      graph.param('W', uniform(rng, this.width, this.height, -bound, bound, graph.dtype)),
      graph.param('B', zeros(this.width, this.height, graph.dtype)),
      new FeedForward(graph, 'out', this.height, outputSize, rng, { activation: 'none' }),
    ]);
  }

  get parameters(): Node[] {
    return [...this.input.parameters, this.weights, this.biases, ...this.output.parameters];
  }

  /**
   * Wires the network onto x (m×inputSize) inside scope `at` (default: the block's name) and
   * returns the logits (m×outputSize). Another call with another `at` shares the parameters.
   */
  apply(x: Node, at: string = this.name): Node {
    const g = this.graph;
    return g.scope(at, () => {
      const a0 = applyGridActivation(this.input.apply(x), this.activation, 'a[0]');
      const wire = { fused: fusedGrid, composed: composedGrid, loop: loopGrid }[this.implementation];
      return this.output.apply(wire(a0, this.weights, this.biases, this.activation, 'columns'));
    });
  }

  /** The columns a[0] … a[width] of the application at `at` (fused grids: their GridStep nodes). */
  columns(at: string = this.name): Node[] {
    if (this.implementation !== 'fused') throw new UsageError(`NeuralGrid '${this.name}': columns() needs the fused implementation`);
    return Array.from({ length: this.width + 1 }, (_, j) => this.graph.node(j === 0 ? `${at}.a[0]` : `${at}.columns.a[${j}]`));
  }
}
