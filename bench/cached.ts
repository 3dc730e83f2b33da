// The shared initial values (bench/.cache, written by scripts/bench-data.py) as wiregrad matrices and parameters.
import { Matrix } from '../src';
import type { Lstm } from '../src/blocks/lstm';
import { tensor } from './harness';

/**
 * Loads PyTorch-layout LSTM weights from the bench cache into wiregrad's Lstm block:
 * W = [W_ihᵀ; W_hhᵀ] ((in + H) × 4H, the same i, f, g, o column order) and b = b_ih + b_hh.
 */
export function loadLstm(lstm: Lstm, prefix: string): void {
  const { inputSize: I, hiddenSize: H } = lstm;
  const dtype = lstm.graph.dtype;
  const wih = tensor(`${prefix}.W_ih`).data;
  const whh = tensor(`${prefix}.W_hh`).data;
  const bih = tensor(`${prefix}.b_ih`).data;
  const bhh = tensor(`${prefix}.b_hh`).data;
  const W = new Matrix(I + H, 4 * H, dtype);
  for (let r = 0; r < 4 * H; r++) {
    for (let j = 0; j < I; j++) W.set(j, r, wih[r * I + j]);
    for (let j = 0; j < H; j++) W.set(I + j, r, whh[r * H + j]);
  }
  const b = new Matrix(1, 4 * H, dtype);
  for (let r = 0; r < 4 * H; r++) b.data[r] = bih[r] + bhh[r];
  lstm.weight.assign(W);
  lstm.bias.assign(b);
}

/** A cached array as a wiregrad Matrix of the given shape and dtype. */
export function cachedMatrix(name: string, rows: number, cols: number, dtype: 'float32' | 'float64'): Matrix {
  const m = new Matrix(rows, cols, dtype);
  m.data.set(tensor(name).data);
  return m;
}
