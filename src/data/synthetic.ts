import { UsageError } from '../errors';
import { DType, Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

/** Inputs and targets, one example per row. */
export interface Dataset {
  x: Matrix;
  y: Matrix;
}

function positiveInteger(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer, got ${n}`);
}

/** n samples of t = phase + i·step as rows [sin t, cos t] (sequence tasks: predict the next row). */
export function sineSeries(n: number, step: number, options: { phase?: number; dtype?: DType } = {}): Matrix {
  positiveInteger('sineSeries: n', n);
  if (!Number.isFinite(step)) throw new UsageError(`sineSeries: step must be finite, got ${step}`);
  const phase = options.phase ?? 0;
  const m = new Matrix(n, 2, options.dtype ?? 'float64');
  for (let i = 0; i < n; i++) {
    const t = phase + i * step;
    m.data[2 * i] = Math.sin(t);
    m.data[2 * i + 1] = Math.cos(t);
  }
  return m;
}

/**
 * Binary addition: two integers a, b < 2^(bits−1) written as bits-bit vectors, most significant
 * bit first, concatenated into x (n × 2·bits); y (n × bits) is a + b, which always fits in bits.
 */
export function binaryAddition(rng: Rng, n: number, bits = 8, dtype: DType = 'float64'): Dataset {
  positiveInteger('binaryAddition: n', n);
  if (!Number.isInteger(bits) || bits < 2 || bits > 31) throw new UsageError(`binaryAddition: bits must be an integer in [2, 31], got ${bits}`);
  const x = new Matrix(n, 2 * bits, dtype);
  const y = new Matrix(n, bits, dtype);
  const writeBits = (m: Matrix, at: number, value: number): void => {
    for (let k = 0; k < bits; k++) m.data[at + k] = (value >>> (bits - 1 - k)) & 1;
  };
  for (let i = 0; i < n; i++) {
    const a = rng.int(2 ** (bits - 1));
    const b = rng.int(2 ** (bits - 1));
    writeBits(x, i * 2 * bits, a);
    writeBits(x, i * 2 * bits + bits, b);
    writeBits(y, i * bits, a + b);
  }
  return { x, y };
}

/** Points uniform in [−1, 1]², labelled 1 when inside the circle of the given radius (boundary included), else 0. */
export function circle(rng: Rng, n: number, radius = 0.8, dtype: DType = 'float64'): Dataset {
  positiveInteger('circle: n', n);
  if (!(radius > 0)) throw new UsageError(`circle: radius must be positive, got ${radius}`);
  const x = new Matrix(n, 2, dtype);
  const y = new Matrix(n, 1, dtype);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform(-1, 1);
    const v = rng.uniform(-1, 1);
    x.data[2 * i] = u;
    x.data[2 * i + 1] = v;
    y.data[i] = Math.hypot(u, v) <= radius ? 1 : 0;
  }
  return { x, y };
}

const PLUS_MINUS_ONE = [
  [-1, -1],
  [-1, 1],
  [1, -1],
  [1, 1],
];

/** The four ±1 input pairs with target +1 only for (1, 1). */
export function andGate(dtype: DType = 'float64'): Dataset {
  return { x: Matrix.from(PLUS_MINUS_ONE, dtype), y: Matrix.from([[-1], [-1], [-1], [1]], dtype) };
}

/** The four ±1 input pairs with target +1 when the inputs differ. */
export function xorGate(dtype: DType = 'float64'): Dataset {
  return { x: Matrix.from(PLUS_MINUS_ONE, dtype), y: Matrix.from([[-1], [1], [1], [-1]], dtype) };
}
