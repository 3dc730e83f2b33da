import type { FeedForward } from '../blocks/feedforward';
import type { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import type { Optimizer } from '../optim/optimizer';
import { Alignment, alignment } from '../rules/alignment';
import { SyntheticGradient } from '../rules/dni';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

// What the two DNI experiments share: the three rules they compare, how the interfaces are
// attached, and how DNI's updates are traced against the true gradient.

export type Variant = 'backprop' | 'DNI' | 'cDNI';
export const VARIANTS: readonly Variant[] = ['backprop', 'DNI', 'cDNI'];

/** A layered net with a synthetic-gradient interface after some of its hidden layers (none for backprop). */
export interface DniNet {
  graph: Graph;
  loss: Node;
  layers: FeedForward[];
  interfaces: SyntheticGradient[];
}

/** The interfaces of `variant` at the hidden nodes; cDNI's synthesisers also read a context of `contextWidth` columns. */
export function attachInterfaces(
  variant: Variant,
  hidden: readonly Node[],
  rng: Rng,
  optimizer: (params: Node[]) => Optimizer,
  contextWidth: number,
): SyntheticGradient[] {
  if (variant === 'backprop') return [];
  return hidden.map((node) => new SyntheticGradient(node, { rng, optimizer, context: variant === 'cDNI' ? contextWidth : 0 }));
}

/**
 * The true gradient of every layer below an interface, against the update DNI makes at the
 * same state: `updateScale` × the weight gradient that the synthetic gradients produce.
 */
export function traceAlignment(net: DniNet, step: number, variant: Variant, trace: Alignment[], updateScale: number): void {
  const below = net.layers.slice(0, net.interfaces.length);
  const gradients = (mode: SyntheticGradient['mode']): Matrix[] => {
    net.interfaces.forEach((sg) => (sg.mode = mode));
    net.graph.backward(net.loss);
    return below.map((l) => (l.weight.grad as Matrix).clone());
  };
  const truth = gradients('true');
  const synthetic = gradients('frozen');
  net.interfaces.forEach((sg) => (sg.mode = 'train'));
  below.forEach((l, k) => {
    const delta = synthetic[k];
    for (let i = 0; i < delta.size; i++) delta.data[i] *= updateScale;
    trace.push(alignment(step, variant, l.name, delta, truth[k]));
  });
}
