import type { Node } from '../graph/node';
import { OpKind } from './op';
import { addRowInto, broadcastRule, broadcastTest, sumRowsInto } from './broadcast';

/**
 * y = a − b            (b is a's shape, or 1×n subtracted from every row)
 * da = g;  db = −g, or minus the column sums of g when b was broadcast
 */
export const Sub: OpKind = {
  kind: 'Sub',
  arity: 2,
  math: ['y = a − b (b may be one row, subtracted from every row)', 'da = g; db = −g (summed over rows when broadcast)'],
  shape: ([a, b]) => broadcastRule(a, b),
  forward({ inputs: [a, b], out }) {
    const y = out.data;
    const ad = a.data;
    const bd = b.data;
    if (b.rows === a.rows) for (let i = 0; i < y.length; i++) y[i] = ad[i] - bd[i];
    else addRowInto(a, b, out, -1);
  },
  backward({ inputs: [a, b] }, g, [da, db]) {
    da?.data.set(g.data);
    if (!db) return;
    if (b.rows === a.rows) {
      const gd = g.data;
      const d = db.data;
      for (let i = 0; i < d.length; i++) d[i] = -gd[i];
    } else sumRowsInto(g, db, -1);
  },
  test: broadcastTest,
};

export function sub(a: Node, b: Node, name?: string): Node {
  return a.graph.apply(Sub, [a, b], {}, name);
}
