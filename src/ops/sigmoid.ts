import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import type { Node } from '../graph/node';
import { exp64 } from '../tensor/fastmath';
import { OpKind } from './op';

/**
 * σ(x) in two branches so that no intermediate ever overflows: for x < 0 it is eˣ / (1 + eˣ),
 * which exponentiates only non-positive numbers. The textbook eˣ / (1 + eˣ) alone is ∞/∞ = NaN
 * past x ≈ 709; 1 / (1 + e⁻ˣ) alone reaches the right limit only through an intermediate ∞.
 * Both branches are one division with a selected numerator, e = e^−|x| by exp64: the operations
 * of fastmath::sigmoid in native/fastmath.h, so the addon's float64 σ has these bits.
 */
export function sigmoidOf(x: number): number {
  const e = exp64(-Math.abs(x));
  return (x >= 0 ? 1 : e) / (1 + e);
}

/**
 * Below this many values sigmoidForwardTs beats the call into the addon (measured, 1 thread,
 * AVX-512 clones: 16 float64 values 0.12 µs here, 0.14 in the addon; 32 values 0.24 and 0.15).
 */
const NATIVE_SIGMOID_FROM = 32;

/**
 * The same for sigmoidBackwardTs (measured, 1 thread, float64: 128 values 0.20 µs here, 0.19 in
 * the addon; 1280 values 1.93 and 0.33).
 */
const NATIVE_SIGMOID_BACKWARD_FROM = 128;

/**
 * y = σ(x): the twin of the addon's kernel. float64 gives the same bits on both sides (exp64 and
 * its twin in native/fastmath.h); float32 runs in float in the addon (a vectorised exp, σ within
 * 2 ulps of the float64 value rounded).
 */
export const sigmoidForwardTs: ElementwiseKernels['sigmoidForward'] = (x, y) => {
  for (let i = 0; i < y.length; i++) y[i] = sigmoidOf(x[i]);
};

/**
 * dx = g ⊙ y ⊙ (1 − y): the twin of the addon's kernel, which does the same double operations
 * (float32 values too, rounded once at the store), so the same bits.
 */
export const sigmoidBackwardTs: ElementwiseKernels['sigmoidBackward'] = (y, g, dx) => {
  for (let i = 0; i < dx.length; i++) dx[i] = g[i] * y[i] * (1 - y[i]);
};

/**
 * y = σ(x)
 * dx = g ⊙ y ⊙ (1 − y)
 * Forward runs in the addon from NATIVE_SIGMOID_FROM values up, backward from NATIVE_SIGMOID_BACKWARD_FROM.
 */
export const Sigmoid: OpKind = {
  kind: 'Sigmoid',
  arity: 1,
  math: ['y = 1 / (1 + exp(−x))', 'dx = g ⊙ y ⊙ (1 − y)'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const native = out.size >= NATIVE_SIGMOID_FROM ? elementwiseKernel('sigmoidForward') : null;
    (native ?? sigmoidForwardTs)(x.data, out.data);
  },
  backward({ out }, g, [dx]) {
    if (!dx) return;
    const native = out.size >= NATIVE_SIGMOID_BACKWARD_FROM ? elementwiseKernel('sigmoidBackward') : null;
    (native ?? sigmoidBackwardTs)(out.data, g.data, dx.data);
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: {} }),
    mathjs: '1 / (1 + exp(-x))',
    special: [40, -40, 800, -800],
  },
};

export function sigmoid(x: Node, name?: string): Node {
  return x.graph.apply(Sigmoid, [x], {}, name);
}
