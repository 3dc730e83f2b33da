import type { Node } from '../graph/node';
import { OpKind } from './op';
import { addRowInto, broadcastRule, broadcastTest, sumRowsInto } from './broadcast';

/**
 * y = a + b            (b is a×n, or 1×n added to every row: a bias)
 * da = g;  db = g, or the column sums of g when b was broadcast
 */
export const Add: OpKind = {
  kind: 'Add',
  arity: 2,
  math: ['y = a + b (b may be one row, added to every row)', 'da = g; db = g (summed over rows when broadcast)'],
  shape: ([a, b]) => broadcastRule(a, b),
  forward({ inputs: [a, b], out }) {
    const y = out.data;
    const ad = a.data;
    const bd = b.data;
    if (b.rows === a.rows) for (let i = 0; i < y.length; i++) y[i] = ad[i] + bd[i];
    else addRowInto(a, b, out);
  },
  backward({ inputs: [a, b] }, g, [da, db]) {
    da?.data.set(g.data);
    if (db) {
      if (b.rows === a.rows) db.data.set(g.data);
      else sumRowsInto(g, db);
    }
  },
  test: broadcastTest,
};

export function add(a: Node, b: Node, name?: string): Node {
  return a.graph.apply(Add, [a, b], {}, name);
}

