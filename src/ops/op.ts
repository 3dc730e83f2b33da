import type { Node } from '../graph/node';
import { Matrix, Shape } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

/** What an op sees when it runs: its inputs' values, its own output buffer, its attributes. */
export interface OpContext<A> {
  readonly node: Node;
  readonly inputs: readonly Matrix[];
  readonly out: Matrix;
  readonly attrs: A;
  /** Scratch buffer `slot` of this node, allocated on first use and reused on every step. */
  scratch(slot: number, rows: number, cols: number): Matrix;
}

/** One random test case for a kind: the input shapes, the attributes, and optionally the input values. */
export interface OpTestCase<A> {
  shapes: Shape[];
  attrs: A;
  /** Input values where uniform values in `domain` do not fit (labels, probabilities). */
  values?: (rng: Rng) => Matrix[];
}

/** Metadata from which the gradient, error and backend tests of every kind are generated. */
export interface OpTest<A> {
  /** A random, valid case for this kind. */
  sample(rng: Rng): OpTestCase<A>;
  /** Range of random input values (default [-2, 2]); kept away from kinks and poles. */
  domain?: readonly [number, number];
  /** A mathjs expression in x for unary kinds, used as an independent derivative oracle. */
  mathjs?: string;
  /** Inputs at which the forward value and the gradient must stay finite. */
  special?: readonly number[];
  /** Shapes that the shape rule must reject. */
  badShapes?: Shape[];
}

/**
 * A node kind: shape rule, forward, backward and test metadata.
 * Backward is a pure rule: given the summed gradient `g` of the output, it writes (overwrites)
 * the gradient for each input slot whose buffer is not null. The engine alone sums and delivers.
 */
export interface OpKind<A = Record<string, never>> {
  readonly kind: string;
  /** Number of inputs, or 'variadic' for one or more. */
  readonly arity: number | 'variadic';
  /** The forward and backward math, one line each, e.g. 'y = tanh(x)' and 'dx = g ⊙ (1 − y²)'. */
  readonly math: readonly [string, string];
  /** Slots that never take a gradient (integer labels). */
  readonly nonDifferentiable?: readonly number[];
  /** Output shape, or a sentence saying why the input shapes do not fit. */
  shape(inputs: readonly Shape[], attrs: A): Shape | string;
  forward(ctx: OpContext<A>): void;
  backward(ctx: OpContext<A>, g: Matrix, grads: readonly (Matrix | null)[]): void;
  readonly test?: OpTest<A>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOpKind = OpKind<any>;
