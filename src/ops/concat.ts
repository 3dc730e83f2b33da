import { WiringError } from '../errors';
import type { Node } from '../graph/node';
import { Shape, shapeText } from '../tensor/matrix';
import { OpKind } from './op';

/**
 * y = [x₀ x₁ … xₖ]       (side by side along columns; every input has the same rows)
 * dxᵢ = the columns of g that xᵢ filled
 * Rows are copied one at a time: in a row-major buffer each input's block is strided by the
 * output width, which is what the original got wrong for more than one row.
 */
export const Concat: OpKind = {
  kind: 'Concat',
  arity: 'variadic',
  math: ['y = [x₀ x₁ … xₖ] (along columns)', 'dxᵢ = g[:, columns of xᵢ]'],
  shape: (xs) => {
    const rows = xs[0][0];
    if (xs.some((s) => s[0] !== rows)) return `every input must have the same number of rows, got ${xs.map(shapeText).join(', ')}`;
    return [rows, xs.reduce((n, s) => n + s[1], 0)];
  },
  forward({ inputs, out }) {
    const y = out.data;
    let offset = 0;
    for (const x of inputs) {
      for (let i = 0; i < x.rows; i++) y.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * out.cols + offset);
      offset += x.cols;
    }
  },
  backward({ inputs, out }, g, grads) {
    let offset = 0;
    inputs.forEach((x, slot) => {
      const dx = grads[slot];
      if (dx) for (let i = 0; i < x.rows; i++) dx.data.set(g.data.subarray(i * out.cols + offset, i * out.cols + offset + x.cols), i * x.cols);
      offset += x.cols;
    });
  },
  test: {
    sample: (rng) => {
      const rows = 1 + rng.int(4);
      const shapes: Shape[] = [];
      for (let k = 1 + rng.int(3); k > 0; k--) shapes.push([rows, 1 + rng.int(3)]);
      return { shapes, attrs: {} };
    },
    badShapes: [[2, 3], [3, 3]],
  },
};

export function concat(inputs: Node[], name?: string): Node {
  if (inputs.length === 0) throw new WiringError(`Concat${name ? ` '${name}'` : ''}: takes one or more inputs, got none`);
  return inputs[0].graph.apply(Concat, inputs, {}, name);
}
