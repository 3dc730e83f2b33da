import { shapeText } from '../tensor/matrix';
import { OpKind } from './op';

/**
 * y = x, where x is bound after construction (a forward reference for feedback wiring)
 * dx = g
 */
export const Ref: OpKind<{ shape: readonly [number, number] }> = {
  kind: 'Ref',
  arity: 1,
  math: ['y = x (bound later)', 'dx = g'],
  shape: ([x], attrs) =>
    x[0] === attrs.shape[0] && x[1] === attrs.shape[1] ? attrs.shape : `the reference is ${shapeText(attrs.shape)}`,
  forward: ({ inputs: [x], out }) => out.data.set(x.data),
  backward: (_ctx, g, [dx]) => dx?.data.set(g.data),
};
