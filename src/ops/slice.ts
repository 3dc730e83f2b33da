import type { Node } from '../graph/node';
import { shapeText } from '../tensor/matrix';
import { OpKind } from './op';

/**
 * y = x[:, from:to]      (the column range [from, to))
 * dx = g in those columns, 0 elsewhere
 */
export const Slice: OpKind<{ from: number; to: number }> = {
  kind: 'Slice',
  arity: 1,
  math: ['y = x[:, from:to]', 'dx = g in columns [from, to), 0 elsewhere'],
  shape: ([x], { from, to }) =>
    Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= x[1]
      ? [x[0], to - from]
      : `the column range [${from}, ${to}) must be non-empty integers within the ${x[1]} columns of x (${shapeText(x)})`,
  forward({ inputs: [x], out, attrs: { from, to } }) {
    for (let i = 0; i < x.rows; i++) out.data.set(x.data.subarray(i * x.cols + from, i * x.cols + to), i * out.cols);
  },
  backward({ inputs: [x], out, attrs: { from } }, g, [dx]) {
    if (!dx) return;
    dx.data.fill(0);
    for (let i = 0; i < x.rows; i++) dx.data.set(g.data.subarray(i * out.cols, (i + 1) * out.cols), i * x.cols + from);
  },
  test: {
    // `to` ≥ 2 always, so the one-column input in badShapes is out of range whatever the sample
    sample: (rng) => {
      const cols = 2 + rng.int(4);
      const to = 2 + rng.int(cols - 1);
      return { shapes: [[1 + rng.int(4), cols]], attrs: { from: rng.int(to), to } };
    },
    badShapes: [[3, 1]],
  },
};

export function slice(x: Node, from: number, to: number, name?: string): Node {
  return x.graph.apply(Slice, [x], { from, to }, name);
}
