import { WiringError } from '../errors';
import type { Node } from '../graph/node';
import { Shape, shapeText } from '../tensor/matrix';
import { copyBlock } from './columns';
import { OpKind } from './op';

/**
 * y = [x₀ x₁ … xₖ]       (side by side along columns; every input has the same rows)
 * dxᵢ = the columns of g that xᵢ filled
 * In the row-major output, row i of input x starts at i·(output width) + (columns before x):
 * the stride is the output's width, not x's (the original got this wrong for more than one row).
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
    let offset = 0;
    for (const x of inputs) {
      copyBlock(x.data, 0, x.cols, out.data, offset, out.cols, x.rows, x.cols);
      offset += x.cols;
    }
  },
  backward({ inputs, out }, g, grads) {
    let offset = 0;
    for (let slot = 0; slot < inputs.length; slot++) {
      const x = inputs[slot];
      const dx = grads[slot];
      if (dx) copyBlock(g.data, offset, out.cols, dx.data, 0, x.cols, x.rows, x.cols);
      offset += x.cols;
    }
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
