import type { Node } from '../graph/node';
import { OpKind } from './op';
import { Reduce } from './sum';

/**
 * y = mean of x         (axis 'all': to a 1×1 scalar over all m·n values; axis 'row': each row to its mean, m×1)
 * dx = g / count, broadcast back over what was averaged
 */
export const Mean: OpKind<{ axis: Reduce }> = {
  kind: 'Mean',
  arity: 1,
  math: ['y = mean of x (all, or per row)', 'dx = g / count, broadcast back'],
  shape: ([x], { axis }) => (axis === 'all' ? [1, 1] : axis === 'row' ? [x[0], 1] : `axis must be 'all' or 'row', got ${String(axis)}`),
  forward({ inputs: [x], out, attrs }) {
    const xd = x.data;
    if (attrs.axis === 'all') {
      let s = 0;
      for (let i = 0; i < xd.length; i++) s += xd[i];
      out.data[0] = s / xd.length;
      return;
    }
    for (let i = 0; i < x.rows; i++) {
      let s = 0;
      for (let j = 0; j < x.cols; j++) s += xd[i * x.cols + j];
      out.data[i] = s / x.cols;
    }
  },
  backward({ inputs: [x], attrs }, g, [dx]) {
    if (!dx) return;
    if (attrs.axis === 'all') dx.data.fill(g.data[0] / x.size);
    else for (let i = 0; i < x.rows; i++) dx.data.fill(g.data[i] / x.cols, i * x.cols, (i + 1) * x.cols);
  },
  test: {
    sample: (rng) => ({ shapes: [[1 + rng.int(4), 1 + rng.int(4)]], attrs: { axis: rng.int(2) === 0 ? 'all' : 'row' } }),
  },
};

export function mean(x: Node, axis: Reduce = 'all', name?: string): Node {
  return x.graph.apply(Mean, [x], { axis }, name);
}
