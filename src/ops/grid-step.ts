import { loadedAddon } from '../backend/native';
import type { Node } from '../graph/node';
import { FloatArray, shapeText } from '../tensor/matrix';
import { OpKind } from './op';

/** The activation of every grid neuron: sin (the reference's choice), tanh, or GELU in its tanh form. */
export type GridActivation = 'sin' | 'tanh' | 'gelu';

export const gridActivations: readonly GridActivation[] = ['sin', 'tanh', 'gelu'];

/** GELU's tanh form, ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))): it needs no erf, so it composes from Tanh, Mul, Add and Scale. */
export const GRID_GELU_C = Math.sqrt(2 / Math.PI);
export const GRID_GELU_K = 0.044715;

export interface GridStepAttrs {
  /** The grid column j this step leaves from; it reads row j of W and B. */
  column: number;
  activation: GridActivation;
}

/**
 * One grid column transition: neuron i of column j+1 from its three neighbours in column j.
 * y[:, i] = act(w[i−1]·a[:, i−1] + w[i]·a[:, i] + w[i+1]·a[:, i+1] + b[i]),  w = W[j, :], b = B[j, :]
 * da = w ⊙ s;  dW[j, :] = Σ_rows a ⊙ s;  dB[j, :] = Σ_rows gz;  gz = g ⊙ act′(z), s[:, k] = gz[:, k−1] + gz[:, k] + gz[:, k+1]
 * Each source neuron k has one weight shared by its three outgoing edges, so everything that
 * comes back along those edges is first summed into s[:, k]; the other rows of dW and dB are 0.
 * Neighbours beyond the borders are zero. z is kept from forward (sin′ and GELU′ need it).
 * The addon runs the kernel, parallel over the batch, whenever it has been loaded for products.
 */
export const GridStep: OpKind<GridStepAttrs> = {
  kind: 'GridStep',
  arity: 3,
  math: [
    'y[:, i] = act(w[i−1]·a[:, i−1] + w[i]·a[:, i] + w[i+1]·a[:, i+1] + b[i]), w = W[j, :], b = B[j, :]',
    'da = w ⊙ s; dW[j, :] = Σ_rows a ⊙ s; dB[j, :] = Σ_rows gz; gz = g ⊙ act′(z), s[:, k] = gz[:, k−1] + gz[:, k] + gz[:, k+1]',
  ],
  shape: ([a, w, b], { column, activation }) => {
    if (!gridActivations.includes(activation)) return `the activation must be one of ${gridActivations.join(', ')}, got ${String(activation)}`;
    if (w[1] !== a[1] || b[0] !== w[0] || b[1] !== w[1]) {
      return `W and B must both be width×height with the height of a's columns (${a[1]}), got a ${shapeText(a)}, W ${shapeText(w)}, B ${shapeText(b)}`;
    }
    if (!Number.isInteger(column) || column < 0 || column >= w[0]) return `the column must be an integer in [0, ${w[0]}), got ${column}`;
    return a;
  },
  forward({ inputs: [a, w, b], out, attrs: { column, activation }, scratch }) {
    const h = a.cols;
    const z = scratch(0, a.rows, h).data;
    const kernel = nativeGrid() ?? gridStepTs;
    kernel.forward(a.data, row(w.data, column, h), row(b.data, column, h), z, out.data, a.rows, h, gridActivationCode[activation]);
  },
  backward({ inputs: [a, w, b], out, attrs: { column, activation }, scratch }, g, [da, dw, db]) {
    const h = a.cols;
    const z = scratch(0, a.rows, h).data;
    // a slot that takes no gradient still gets a buffer: the kernel computes all three at once
    const daBuf = da ?? scratch(1, a.rows, h);
    const dwBuf = dw ?? scratch(2, w.rows, h);
    const dbBuf = db ?? scratch(3, b.rows, h);
    dwBuf.data.fill(0);
    dbBuf.data.fill(0);
    const kernel = nativeGrid() ?? gridStepTs;
    kernel.backward(
      g.data, a.data, row(w.data, column, h), z, out.data,
      daBuf.data, row(dwBuf.data, column, h), row(dbBuf.data, column, h), a.rows, h, gridActivationCode[activation],
    );
  },
  test: {
    sample: (rng) => {
      const [m, h, width] = [1 + rng.int(3), 1 + rng.int(5), 1 + rng.int(3)];
      return { shapes: [[m, h], [width, h], [width, h]], attrs: { column: rng.int(width), activation: gridActivations[rng.int(3)] } };
    },
    badShapes: [[2, 3], [2, 4], [2, 4]],
  },
};

export function gridStep(a: Node, w: Node, b: Node, column: number, activation: GridActivation, name?: string): Node {
  return a.graph.apply(GridStep, [a, w, b], { column, activation }, name);
}

/** Activation codes shared with native/grid.cc. */
export const gridActivationCode: Record<GridActivation, number> = { sin: 0, tanh: 1, gelu: 2 };

/**
 * The kernel pair of one transition, on row-major arrays: a, z, y, da are m×h; w, b, dw, db are
 * the h values of one grid row. Backward adds into dw and db, overwrites da.
 */
export interface GridStepKernel {
  forward(a: FloatArray, w: FloatArray, b: FloatArray, z: FloatArray, y: FloatArray, m: number, h: number, act: number): void;
  backward(
    g: FloatArray, a: FloatArray, w: FloatArray, z: FloatArray, y: FloatArray,
    da: FloatArray, dw: FloatArray, db: FloatArray, m: number, h: number, act: number,
  ): void;
}

function row(data: FloatArray, j: number, h: number): FloatArray {
  return data.subarray(j * h, (j + 1) * h);
}

function activate(z: number, act: number): number {
  if (act === 0) return Math.sin(z);
  if (act === 1) return Math.tanh(z);
  return 0.5 * (z * (Math.tanh(GRID_GELU_C * (z + GRID_GELU_K * ((z * z) * z))) + 1));
}

/** act′(z), given y = act(z). */
function derivative(z: number, y: number, act: number): number {
  if (act === 0) return Math.cos(z);
  if (act === 1) return 1 - y * y;
  const t = Math.tanh(GRID_GELU_C * (z + GRID_GELU_K * z * z * z));
  return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GRID_GELU_C * (1 + 3 * GRID_GELU_K * z * z);
}

/** The pure-TypeScript kernel: the reference for the addon's and the fallback when it is absent. */
export const gridStepTs: GridStepKernel = {
  forward(a, w, b, z, y, m, h, act) {
    for (let r = 0; r < m; r++) {
      const o = r * h;
      for (let i = 0; i < h; i++) {
        let s = w[i] * a[o + i];
        if (i > 0) s += w[i - 1] * a[o + i - 1];
        if (i + 1 < h) s += w[i + 1] * a[o + i + 1];
        z[o + i] = s + b[i];
        y[o + i] = activate(z[o + i], act);
      }
    }
  },
  backward(g, a, w, z, y, da, dw, db, m, h, act) {
    for (let r = 0; r < m; r++) {
      const o = r * h;
      // gz of neurons i−1, i, i+1 of this row, slid along i
      let prev = 0;
      let cur = g[o] * derivative(z[o], y[o], act);
      for (let i = 0; i < h; i++) {
        const next = i + 1 < h ? g[o + i + 1] * derivative(z[o + i + 1], y[o + i + 1], act) : 0;
        const s = prev + cur + next;
        da[o + i] = w[i] * s;
        dw[i] += a[o + i] * s;
        db[i] += cur;
        prev = cur;
        cur = next;
      }
    }
  },
};

interface GridAddon {
  gridStepForward: GridStepKernel['forward'];
  gridStepBackward: GridStepKernel['backward'];
}

let nativeKernel: GridStepKernel | null | undefined;

/** The addon's kernel once the addon is loaded (by the first large product) and has it; else null. */
function nativeGrid(): GridStepKernel | null {
  if (nativeKernel !== undefined) return nativeKernel;
  const addon = loadedAddon() as (Partial<GridAddon> & object) | null;
  if (!addon) return null;
  const { gridStepForward, gridStepBackward } = addon;
  nativeKernel = gridStepForward && gridStepBackward ? { forward: gridStepForward, backward: gridStepBackward } : null;
  return nativeKernel;
}
