import { Matrix, Shape, shapeText } from '../tensor/matrix';

/** Shape rule of Add and Sub: b has a's shape, or is one row of a's width (a bias). */
export function broadcastRule(a: Shape, b: Shape): Shape | string {
  if (a[1] !== b[1] || (b[0] !== a[0] && b[0] !== 1)) {
    return `b must be ${shapeText(a)} or 1×${a[1]} (a row broadcast over a's rows), got a ${shapeText(a)} and b ${shapeText(b)}`;
  }
  return a;
}

/** out (1×n) = the column sums of g (m×n): the gradient of a row that was broadcast. */
export function sumRowsInto(g: Matrix, out: Matrix, sign = 1): void {
  const o = out.data;
  const d = g.data;
  const n = g.cols;
  o.fill(0);
  for (let i = 0; i < g.rows; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) o[j] += d[row + j];
  }
  if (sign !== 1) for (let j = 0; j < n; j++) o[j] *= sign;
}
