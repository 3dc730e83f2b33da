import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import type { Node } from '../graph/node';
import { OpKind } from './op';

/**
 * Below this many values tanhForwardTs beats the call into the addon (measured, 1 thread, float32,
 * AVX-512 clones: 16 values 0.18 µs here, 0.13 in the addon; 8 values 0.09 and 0.12).
 */
const NATIVE_TANH_FROM = 16;

/**
 * y = tanh(x): the twin of the addon's kernel. Only float32 goes to the addon (a vectorised tanh within 2 ulps, native/fastmath.h); glibc's
 * float64 tanh differs from V8's by up to 3 ulps, and float64 results stay the same with and
 * without the addon.
 */
export const tanhForwardTs: ElementwiseKernels['tanhForward'] = (x, y) => {
  for (let i = 0; i < y.length; i++) y[i] = Math.tanh(x[i]);
};

/**
 * y = tanh(x)
 * dx = g ⊙ (1 − y²)
 * Math.tanh saturates to ±1 for large |x|; the Scala original computed (e^x − e^−x)/(e^x + e^−x),
 * which is Inf/Inf = NaN past |x| ≈ 710. Forward runs in the addon from NATIVE_TANH_FROM float32 values up.
 */
export const Tanh: OpKind = {
  kind: 'Tanh',
  arity: 1,
  math: ['y = tanh(x)', 'dx = g ⊙ (1 − y²)'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const native = out.dtype === 'float32' && out.size >= NATIVE_TANH_FROM ? elementwiseKernel('tanhForward') : null;
    (native ?? tanhForwardTs)(x.data, out.data);
  },
  backward({ out }, g, [dx]) {
    if (!dx) return;
    const y = out.data;
    const gd = g.data;
    const d = dx.data;
    for (let i = 0; i < d.length; i++) d[i] = gd[i] * (1 - y[i] * y[i]);
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(3), 1 + rng.int(4)]], attrs: {} }),
    mathjs: 'tanh(x)',
    special: [20, -20, 710, -710, 1000, -1000],
  },
};

export function tanh(x: Node, name?: string): Node {
  return x.graph.apply(Tanh, [x], {}, name);
}
