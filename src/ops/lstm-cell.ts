import { loadedAddon } from '../backend/native';
import type { Node } from '../graph/node';
import { tanh64 } from '../tensor/fastmath';
import { FloatArray, shapeText } from '../tensor/matrix';
import { OpKind } from './op';
import { sigmoidOf } from './sigmoid';

/**
 * One LSTM cell update after the gate product, fused: PyTorch's equations on the
 * pre-activations z = [zi zf zg zo] (m × 4H, column blocks in that order) and the previous cell c.
 * y = [h' | c'],  c' = σ(zf) ⊙ c + σ(zi) ⊙ tanh(zg),  h' = σ(zo) ⊙ tanh(c')
 * dc' = gc + gh ⊙ σ(zo) ⊙ (1 − tanh²c');  dz = [dc'⊙tanh(zg)⊙σ′(zi), dc'⊙c⊙σ′(zf), dc'⊙σ(zi)⊙(1 − tanh²zg), gh⊙tanh(c')⊙σ′(zo)];  dc = dc' ⊙ σ(zf)
 * One node in place of the thirteen elementwise ones (four slices, four activations, three
 * products, a sum, a tanh) it replaces: the output is one matrix because a node has one, and
 * the block slices h' and c' out of it. The four activations and tanh(c') are kept from forward
 * in scratch buffers, so backward evaluates no exp or tanh. The addon runs the kernel, parallel
 * over the batch rows, once it has been loaded for products and the cell holds at least
 * NATIVE_LSTM_FROM values.
 */
export const LstmCell: OpKind = {
  kind: 'LstmCell',
  arity: 2,
  math: [
    "y = [h' | c'], c' = σ(zf) ⊙ c + σ(zi) ⊙ tanh(zg), h' = σ(zo) ⊙ tanh(c'), z = [zi zf zg zo]",
    "dc' = gc + gh ⊙ σ(zo) ⊙ (1 − tanh²c'); dz = [dc'⊙tanh(zg)⊙σ′(zi), dc'⊙c⊙σ′(zf), dc'⊙σ(zi)⊙(1 − tanh²zg), gh⊙tanh(c')⊙σ′(zo)]; dc = dc' ⊙ σ(zf)",
  ],
  shape: ([z, c]) =>
    z[0] === c[0] && z[1] === 4 * c[1] ? [c[0], 2 * c[1]] : `the gates must be m × 4H for the cell c (m × H), got gates ${shapeText(z)}, c ${shapeText(c)}`,
  forward({ inputs: [z, c], out, scratch }) {
    const [m, h] = [c.rows, c.cols];
    kernelFor(m, h).forward(z.data, c.data, scratch(0, m, 4 * h).data, scratch(1, m, h).data, out.data, m, h);
  },
  backward({ inputs: [z, c], scratch }, g, [dz, dc]) {
    const [m, h] = [c.rows, c.cols];
    // a slot that takes no gradient still gets a buffer: the kernel computes both at once
    const dzBuf = dz ?? scratch(2, m, 4 * h);
    const dcBuf = dc ?? scratch(3, m, h);
    kernelFor(m, h).backward(g.data, c.data, scratch(0, m, 4 * h).data, scratch(1, m, h).data, dzBuf.data, dcBuf.data, m, h);
  },
  test: {
    sample: (rng) => {
      const [m, h] = [1 + rng.int(3), 1 + rng.int(4)];
      return { shapes: [[m, 4 * h], [m, h]], attrs: {} };
    },
    special: [40, -40, 800, -800],
    badShapes: [[2, 8], [2, 3]],
  },
};

/** y = [h' | c'] from the gate pre-activations (m × 4H) and the previous cell c (m × H). */
export function lstmCell(gates: Node, c: Node, name?: string): Node {
  return gates.graph.apply(LstmCell, [gates, c], {}, name);
}

/**
 * The kernel pair on row-major arrays: z, act, dz are m×4H; c, tc, dc are m×H; y and g are m×2H.
 * Forward writes act = [σ(zi) σ(zf) tanh(zg) σ(zo)], tc = tanh(c') and y; backward overwrites dz and dc.
 */
export interface LstmCellKernel {
  forward(z: FloatArray, c: FloatArray, act: FloatArray, tc: FloatArray, y: FloatArray, m: number, h: number): void;
  backward(g: FloatArray, c: FloatArray, act: FloatArray, tc: FloatArray, dz: FloatArray, dc: FloatArray, m: number, h: number): void;
}

// One activation per loop, each loop in a function of its own, so that V8 inlines sigmoidOf and
// tanh64 into a small loop: with all five in one loop W2 (1×16 float64 cells, without the addon)
// took 29 µs a step instead of 26 (measured, 1 thread).

/** a[o + j] = σ(x[o + j]) for j < n. */
function sigmoidInto(x: FloatArray, a: FloatArray, o: number, n: number): void {
  for (let j = o; j < o + n; j++) a[j] = sigmoidOf(x[j]);
}

/** a[ao + j] = tanh(x[xo + j]) for j < n. */
function tanhInto(x: FloatArray, xo: number, a: FloatArray, ao: number, n: number): void {
  for (let j = 0; j < n; j++) a[ao + j] = tanh64(x[xo + j]);
}

/** The pure-TypeScript kernel: the reference for the addon's and the fallback when it is absent. */
export const lstmCellTs: LstmCellKernel = {
  forward(z, c, act, tc, y, m, h) {
    for (let r = 0; r < m; r++) {
      const zr = r * 4 * h;
      const cr = r * h;
      const yr = r * 2 * h;
      sigmoidInto(z, act, zr, 2 * h); // i, f
      tanhInto(z, zr + 2 * h, act, zr + 2 * h, h); // g
      sigmoidInto(z, act, zr + 3 * h, h); // o
      for (let j = 0; j < h; j++) y[yr + h + j] = act[zr + h + j] * c[cr + j] + act[zr + j] * act[zr + 2 * h + j];
      tanhInto(y, yr + h, tc, cr, h);
      for (let j = 0; j < h; j++) y[yr + j] = act[zr + 3 * h + j] * tc[cr + j];
    }
  },
  backward(gy, c, act, tc, dz, dc, m, h) {
    for (let r = 0; r < m; r++) {
      const zr = r * 4 * h;
      const cr = r * h;
      const yr = r * 2 * h;
      for (let j = 0; j < h; j++) {
        const i = act[zr + j];
        const f = act[zr + h + j];
        const g = act[zr + 2 * h + j];
        const o = act[zr + 3 * h + j];
        const t = tc[cr + j];
        const gh = gy[yr + j];
        const dcNew = gy[yr + h + j] + gh * o * (1 - t * t);
        dz[zr + j] = dcNew * g * (i * (1 - i));
        dz[zr + h + j] = dcNew * c[cr + j] * (f * (1 - f));
        dz[zr + 2 * h + j] = dcNew * i * (1 - g * g);
        dz[zr + 3 * h + j] = gh * t * (o * (1 - o));
        dc[cr + j] = dcNew * f;
      }
    }
  },
};

/**
 * From this many cell values (m·H) the addon's kernel beats lstmCellTs (measured, 1 thread,
 * forward + backward, float64: 1×4 0.44 µs in TypeScript, 0.77 in the addon; 1×8 0.77 and 0.74;
 * 1×16 1.5 and 0.79). float64 results have the same bits either way.
 */
const NATIVE_LSTM_FROM = 8;

function kernelFor(m: number, h: number): LstmCellKernel {
  return (m * h >= NATIVE_LSTM_FROM ? nativeLstm() : null) ?? lstmCellTs;
}

interface LstmAddon {
  lstmCellForward: LstmCellKernel['forward'];
  lstmCellBackward: LstmCellKernel['backward'];
}

let nativeKernel: LstmCellKernel | null | undefined;

/** The addon's kernel once the addon is loaded (by the first large product) and has it; else null. */
function nativeLstm(): LstmCellKernel | null {
  if (nativeKernel !== undefined) return nativeKernel;
  const addon = loadedAddon() as (Partial<LstmAddon> & object) | null;
  if (!addon) return null;
  const { lstmCellForward, lstmCellBackward } = addon;
  nativeKernel = lstmCellForward && lstmCellBackward ? { forward: lstmCellForward, backward: lstmCellBackward } : null;
  return nativeKernel;
}
