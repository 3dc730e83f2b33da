import { Shape, shapeText } from '../tensor/matrix';

/**
 * How a loss turns its terms into one number: 'mean' divides the sum by the number of terms,
 * 'sum' keeps it, 'batch' divides it by the number of rows (one row per example).
 */
export type Reduction = 'mean' | 'sum' | 'batch';

export const reductions: readonly Reduction[] = ['mean', 'sum', 'batch'];

/** The number the summed loss is divided by. */
export function reductionDivisor(reduction: Reduction, terms: number, rows: number): number {
  return reduction === 'mean' ? terms : reduction === 'batch' ? rows : 1;
}

/** The shape rule of a loss: a known reduction and, if given, a reason the inputs do not fit; a 1×1 output. */
export function lossShape(reduction: Reduction, misfit: string | null): Shape | string {
  if (!reductions.includes(reduction)) {
    return `reduction must be 'mean', 'sum' or 'batch', got ${String(reduction)}`;
  }
  return misfit ?? [1, 1];
}

/** The shape rule of a loss over two inputs of one shape (prediction and target, or mu and logvar). */
export function pairedLossShape(a: Shape, b: Shape, reduction: Reduction, names: readonly [string, string]): Shape | string {
  const misfit = a[0] === b[0] && a[1] === b[1] ? null : `${names[0]} and ${names[1]} must have one shape, got ${shapeText(a)} and ${shapeText(b)}`;
  return lossShape(reduction, misfit);
}
