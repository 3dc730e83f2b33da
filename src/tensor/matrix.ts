import { DtypeError, ShapeError } from '../errors';

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

/** A shape is always [rows, cols]: wiregrad is 2-D throughout, like the Breeze original. */
export type Shape = readonly [number, number];

export function shapeText(s: Shape): string {
  return `${s[0]}×${s[1]}`;
}

export function arrayFor(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * A dense row-major 2-D matrix over a typed array. The class counts its own constructions so
 * that tests can prove a steady-state training step allocates no new matrices.
 */
export class Matrix {
  /** Number of matrices constructed in this process (read by allocation tests). */
  static allocations = 0;

  readonly rows: number;
  readonly cols: number;
  readonly dtype: DType;
  readonly data: FloatArray;

  constructor(rows: number, cols: number, dtype: DType = 'float64', data?: FloatArray) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
      throw new ShapeError(`Matrix: shape must be two positive integers, got ${rows}×${cols}`);
    }
    if (data !== undefined) {
      if (dtypeOf(data) !== dtype) {
        throw new DtypeError(`Matrix: data is ${dtypeOf(data)} but dtype ${dtype} was asked for`);
      }
      if (data.length !== rows * cols) {
        throw new ShapeError(`Matrix: ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
      }
    }
    this.rows = rows;
    this.cols = cols;
    this.dtype = dtype;
    this.data = data ?? arrayFor(dtype, rows * cols);
    Matrix.allocations++;
  }

  static zeros(rows: number, cols: number, dtype: DType = 'float64'): Matrix {
    return new Matrix(rows, cols, dtype);
  }

  /** From nested rows, e.g. `Matrix.from([[1, 2], [3, 4]])`. */
  static from(rows: readonly (readonly number[])[], dtype: DType = 'float64'): Matrix {
    if (rows.length === 0 || rows[0].length === 0) throw new ShapeError('Matrix.from: empty rows');
    const m = new Matrix(rows.length, rows[0].length, dtype);
    rows.forEach((row, i) => {
      if (row.length !== m.cols) {
        throw new ShapeError(`Matrix.from: row ${i} has ${row.length} values, row 0 has ${m.cols}`);
      }
      m.data.set(row, i * m.cols);
    });
    return m;
  }

  static scalar(v: number, dtype: DType = 'float64'): Matrix {
    const m = new Matrix(1, 1, dtype);
    m.data[0] = v;
    return m;
  }

  get shape(): Shape {
    return [this.rows, this.cols];
  }

  get size(): number {
    return this.data.length;
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.dtype, this.data.slice() as FloatArray);
  }

  /** A copy in another dtype (float64 → float32 rounds). */
  to(dtype: DType): Matrix {
    const m = new Matrix(this.rows, this.cols, dtype);
    m.data.set(this.data);
    return m;
  }

  copyFrom(src: Matrix): this {
    if (src.rows !== this.rows || src.cols !== this.cols) {
      throw new ShapeError(`Matrix.copyFrom: ${shapeText(src.shape)} into ${shapeText(this.shape)}`);
    }
    this.data.set(src.data);
    return this;
  }

  fill(v: number): this {
    this.data.fill(v);
    return this;
  }

  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /** Frobenius norm. */
  norm(): number {
    let s = 0;
    const d = this.data;
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
    return Math.sqrt(s);
  }

  toString(): string {
    return `Matrix(${shapeText(this.shape)}, ${this.dtype})`;
  }
}
