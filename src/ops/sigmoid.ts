import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * σ(x) in two branches so that no intermediate ever overflows: for x < 0 it is eˣ / (1 + eˣ),
 * which exponentiates only non-positive numbers. The textbook eˣ / (1 + eˣ) alone is ∞/∞ = NaN
 * past x ≈ 709; 1 / (1 + e⁻ˣ) alone reaches the right limit only through an intermediate ∞.
 */
export function sigmoidOf(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Below this many values sigmoidForwardTs beats the call into the addon (measured, 1 thread). */
const NATIVE_SIGMOID_FROM = 128;

/**
 * y = σ(x): the twin of the addon's kernel, same branches. Only float32 goes to the addon (a vectorised exp within 2 ulps, native/fastmath.h):
 * through glibc's float64 exp the result differs from V8's by up to 2 ulps, and float64 results
 * stay the same with and without the addon.
 */
export const sigmoidForwardTs: ElementwiseKernels['sigmoidForward'] = (x, y) => {
  for (let i = 0; i < y.length; i++) y[i] = sigmoidOf(x[i]);
};

/**
 * y = σ(x)
 * dx = g ⊙ y ⊙ (1 − y)
 * Forward runs in the addon from NATIVE_SIGMOID_FROM float32 values up.
 */
export const Sigmoid: OpKind = {
  kind: 'Sigmoid',
  arity: 1,
  math: ['y = 1 / (1 + exp(−x))', 'dx = g ⊙ y ⊙ (1 − y)'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const native = out.dtype === 'float32' && out.size >= NATIVE_SIGMOID_FROM ? elementwiseKernel('sigmoidForward') : null;
    (native ?? sigmoidForwardTs)(x.data, out.data);
  },
  backward({ out }, g, [dx]) {
    if (!dx) return;
    const y = out.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = gd[i] * y[i] * (1 - y[i]);
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
