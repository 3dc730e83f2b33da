import { ShapeError, UsageError } from '../errors';
import { DType, Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

/** Rows [from, to) of m, copied into a new matrix. */
export function sliceRows(m: Matrix, from: number, to: number): Matrix {
  return new Matrix(to - from, m.cols, m.dtype, m.data.slice(from * m.cols, to * m.cols) as Matrix['data']);
}

/** One batch: rows of x and y in the current order. The matrices are reused by the next call. */
export interface Batch {
  readonly x: Matrix;
  readonly y: Matrix;
  /** Number of rows: the batch size, or fewer for the last batch of an epoch. */
  readonly size: number;
}

/**
 * Cuts a data set into batches, copying rows into matrices allocated once, so a training loop
 * allocates nothing per step. Every batch has `batchSize` rows except possibly the last, which
 * has its own (smaller, also reused) matrices, or is left out with `dropLast`.
 *
 *   const batches = new Batches(x, y, 32);
 *   for (let epoch = 0; epoch < epochs; epoch++) {
 *     batches.shuffle(rng);
 *     for (let i = 0; i < batches.count; i++) { const b = batches.get(i); input.feed(b.x); … }
 *   }
 */
export class Batches {
  readonly x: Matrix;
  readonly y: Matrix;
  readonly batchSize: number;
  /** Batches per epoch. */
  readonly count: number;
  private readonly order: Int32Array;
  private readonly full: Batch;
  private readonly last: Batch;

  constructor(x: Matrix, y: Matrix, batchSize: number, options: { dropLast?: boolean } = {}) {
    if (x.rows !== y.rows) throw new ShapeError(`Batches: x has ${x.rows} rows, y has ${y.rows}`);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > x.rows) {
      throw new UsageError(`Batches: batch size must be an integer in [1, ${x.rows}], got ${batchSize}`);
    }
    this.x = x;
    this.y = y;
    this.batchSize = batchSize;
    const remainder = x.rows % batchSize;
    const dropLast = options.dropLast ?? false;
    this.count = Math.floor(x.rows / batchSize) + (remainder > 0 && !dropLast ? 1 : 0);
    this.order = Int32Array.from({ length: x.rows }, (_, i) => i);
    this.full = makeBatch(x, y, batchSize);
    this.last = remainder > 0 && !dropLast ? makeBatch(x, y, remainder) : this.full;
  }

  /** A new random order of the rows (one permutation per call; call once per epoch). */
  shuffle(rng: Rng): this {
    this.order.set(rng.permutation(this.x.rows));
    return this;
  }

  /** Fills and returns batch i (0 ≤ i < count) of the current order. */
  get(i: number): Batch {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new UsageError(`Batches.get: index must be in [0, ${this.count}), got ${i}`);
    const b = i === this.count - 1 ? this.last : this.full;
    const start = i * this.batchSize;
    copyRows(this.x, b.x, this.order, start);
    copyRows(this.y, b.y, this.order, start);
    return b;
  }
}

function makeBatch(x: Matrix, y: Matrix, rows: number): Batch {
  return { x: new Matrix(rows, x.cols, x.dtype), y: new Matrix(rows, y.cols, y.dtype), size: rows };
}

function copyRows(from: Matrix, to: Matrix, order: Int32Array, start: number): void {
  const cols = from.cols;
  const src = from.data;
  const dst = to.data;
  // A plain loop rather than set(subarray(...)): a subarray is a new object on every row.
  for (let r = 0; r < to.rows; r++) {
    const s = order[start + r] * cols;
    const d = r * cols;
    for (let c = 0; c < cols; c++) dst[d + c] = src[s + c];
  }
}

/** Class ids as one-hot rows (n × classes); an id outside [0, classes) is refused. */
export function oneHot(labels: Int32Array, classes: number, dtype: DType = 'float64'): Matrix {
  const m = new Matrix(labels.length, classes, dtype);
  labels.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new UsageError(`oneHot: label ${c} at index ${i} is outside [0, ${classes})`);
    m.data[i * classes + c] = 1;
  });
  return m;
}
