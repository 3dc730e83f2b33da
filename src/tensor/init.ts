import { UsageError } from '../errors';
import { DType, Matrix } from './matrix';
import { Rng } from './rng';

/** Initialisers: each returns a new matrix filled from the given generator. */

export function zeros(rows: number, cols: number, dtype: DType = 'float64'): Matrix {
  return new Matrix(rows, cols, dtype);
}

export function uniform(rng: Rng, rows: number, cols: number, lo: number, hi: number, dtype: DType = 'float64'): Matrix {
  if (!(hi >= lo)) throw new UsageError(`uniform: need lo ≤ hi, got [${lo}, ${hi}]`);
  const m = new Matrix(rows, cols, dtype);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(lo, hi);
  return m;
}

export function normal(rng: Rng, rows: number, cols: number, mean = 0, std = 1, dtype: DType = 'float64'): Matrix {
  if (!(std >= 0)) throw new UsageError(`normal: std must be ≥ 0, got ${std}`);
  const m = new Matrix(rows, cols, dtype);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal(mean, std);
  return m;
}

/** Xavier/Glorot uniform for a weight of shape fanIn×fanOut: U(±√(6/(fanIn+fanOut))). */
export function xavier(rng: Rng, fanIn: number, fanOut: number, dtype: DType = 'float64'): Matrix {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(rng, fanIn, fanOut, -a, a, dtype);
}
