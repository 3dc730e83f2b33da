import { Graph } from '../graph/graph';
import { Node } from '../graph/node';
import { mse } from '../losses/mse';
import { add } from '../ops/add';
import { inner } from '../ops/inner';
import { tanh } from '../ops/tanh';
import { xavier, zeros } from '../tensor/init';
import { Rng } from '../tensor/rng';

/**
 * A two-layer perceptron 4-8-3 on a batch of 5 rows with a mean squared error:
 * h = tanh(x·W1 + b1), y = h·W2 + b2, loss = mean (y − target)².
 */
export function buildMlpDemo(seed = 7): { graph: Graph; root: Node } {
  const rng = new Rng(seed);
  const graph = new Graph();
  const batch = 5;
  const x = graph.input('x', batch, 4);
  const target = graph.input('target', batch, 3);
  const h = graph.scope('layer1', () => {
    const w = graph.param('W', xavier(rng, 4, 8));
    const b = graph.param('b', zeros(1, 8));
    return tanh(add(inner(x, w, 'xW'), b, 'z'), 'h');
  });
  const y = graph.scope('layer2', () => {
    const w = graph.param('W', xavier(rng, 8, 3));
    const b = graph.param('b', zeros(1, 3));
    return add(inner(h, w, 'hW'), b, 'y');
  });
  const root = mse(y, target, 'mean', 'loss');
  return { graph, root };
}
