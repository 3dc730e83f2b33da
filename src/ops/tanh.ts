import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import type { Node } from '../graph/node';
import { tanh64 } from '../tensor/fastmath';
import { OpKind } from './op';

/**
 * Below this many values tanhForwardTs beats the call into the addon (measured, 1 thread, float32,
 * AVX-512 clones: 16 values 0.18 µs here, 0.13 in the addon; 8 values 0.09 and 0.12).
 */
const NATIVE_TANH_FROM = 16;

/**
 * The same for tanhBackwardTs (measured, 1 thread: 128 float64 values 0.20 µs here, 0.18 in the
 * addon; 128 float32 0.33 and 0.17; 4096 float32 10.0 and 0.96).
 */
const NATIVE_TANH_BACKWARD_FROM = 128;

/**
 * y = tanh(x): the twin of the addon's kernel. float64 gives the same bits on both sides (tanh64
 * and its twin in native/fastmath.h); float32 runs in float in the addon (a vectorised tanh
 * within 2 ulps of the float64 value rounded).
 */
export const tanhForwardTs: ElementwiseKernels['tanhForward'] = (x, y) => {
  for (let i = 0; i < y.length; i++) y[i] = tanh64(x[i]);
};

/**
 * dx = g ⊙ (1 − y²): the twin of the addon's kernel, which does the same double operations
 * (float32 values too, rounded once at the store), so the same bits.
 */
export const tanhBackwardTs: ElementwiseKernels['tanhBackward'] = (y, g, dx) => {
  for (let i = 0; i < dx.length; i++) dx[i] = g[i] * (1 - y[i] * y[i]);
};

/**
 * y = tanh(x)
 * dx = g ⊙ (1 − y²)
 * tanh64 saturates to ±1 for large |x|; the Scala original computed (e^x − e^−x)/(e^x + e^−x),
 * which is Inf/Inf = NaN past |x| ≈ 710. Forward runs in the addon from NATIVE_TANH_FROM values up, backward from NATIVE_TANH_BACKWARD_FROM.
 */
export const Tanh: OpKind = {
  kind: 'Tanh',
  arity: 1,
  math: ['y = tanh(x)', 'dx = g ⊙ (1 − y²)'],
  shape: ([x]) => x,
  forward({ inputs: [x], out }) {
    const native = out.size >= NATIVE_TANH_FROM ? elementwiseKernel('tanhForward') : null;
    (native ?? tanhForwardTs)(x.data, out.data);
  },
  backward({ out }, g, [dx]) {
    if (!dx) return;
    const native = out.size >= NATIVE_TANH_BACKWARD_FROM ? elementwiseKernel('tanhBackward') : null;
    (native ?? tanhBackwardTs)(out.data, g.data, dx.data);
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
