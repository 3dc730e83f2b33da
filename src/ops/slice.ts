import type { Node } from '../graph/node';
import { shapeText } from '../tensor/matrix';
import { copyBlock } from './columns';
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
  forward({ inputs: [x], out, attrs: { from } }) {
    copyBlock(x.data, from, x.cols, out.data, 0, out.cols, x.rows, out.cols);
  },
  backward({ inputs: [x], out, attrs: { from } }, g, [dx]) {
    if (!dx) return;
    dx.data.fill(0);
    copyBlock(g.data, 0, out.cols, dx.data, from, x.cols, x.rows, out.cols);
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
