import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import { FloatArray } from '../tensor/matrix';

/**
 * From this many values a block goes to the addon's copyRows: one memcpy a row, and no view
 * object a row as `set(subarray(...))` would allocate. Below it the call's fixed cost outweighs
 * the loop (measured, node 20, rows × width: 4 × 16 values 92 ns float32 / 154 ns float64 by
 * loop, 160 by the addon; 8 × 16: 190 / 301 against 170; 64 × 32: 3.3 / 3.9 µs against 0.26 / 0.47).
 */
const NATIVE_COPY_FROM = 128;

/** From this row width the twin copies a row with `set(subarray(...))`: 64 × 256 float32 in 3.6 µs against 23 µs by element. */
const TS_ROW_SET_FROM = 64;

/**
 * The TypeScript twin of the addon's copyRows: the same copy, element by element, or row by row
 * for wide rows (a view object a row: without the addon, speed wins over allocation).
 */
export const copyBlockTs: ElementwiseKernels['copyRows'] = (src, from, fromStride, dst, to, toStride, rows, width) => {
  if (width >= TS_ROW_SET_FROM) {
    for (let i = 0; i < rows; i++) dst.set(src.subarray(from + i * fromStride, from + i * fromStride + width), to + i * toStride);
    return;
  }
  for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) dst[to + i * toStride + j] = src[from + i * fromStride + j];
};

/**
 * Copies a block of `rows` × `width` values between two row-major arrays: row i starts at
 * `from + i·fromStride` in `src` and at `to + i·toStride` in `dst` (the strides are the widths of
 * the matrices the block sits in). Slice and Concat move their columns with it.
 */
export function copyBlock(src: FloatArray, from: number, fromStride: number, dst: FloatArray, to: number, toStride: number, rows: number, width: number): void {
  const native = rows * width >= NATIVE_COPY_FROM ? elementwiseKernel('copyRows') : null;
  (native ?? copyBlockTs)(src, from, fromStride, dst, to, toStride, rows, width);
}
