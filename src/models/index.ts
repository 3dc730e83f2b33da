import * as path from 'node:path';
import { toDot } from '../graph/dot';
import { Graph } from '../graph/graph';
import { Node } from '../graph/node';
import { writeGraph, WriteGraphOptions } from '../io/render';
import { buildMlpDemo } from './mlp-demo';
import { buildGridGraph } from './grid-fmnist';
import { buildLstmSineGraph } from './lstm-sine';
import { buildMlpAdditionGraph } from './mlp-addition';
import { buildVaeFmnistGraph } from './vae-fmnist';

/** A model that ships with wiregrad: its graph is exported to graphs/<name>.dot by `npm run graphs`. */
export interface BuiltinModel {
  name: string;
  description: string;
  build(): { graph: Graph; root: Node };
}

/** The built-in models, one line each; every builder lives in its own file. */
export const builtinModels: BuiltinModel[] = [
  { name: 'mlp-demo', description: 'two-layer perceptron 4-8-3, mean squared error', build: () => buildMlpDemo() },
  { name: 'lstm-sine', description: 'LSTM (hidden 4 for the picture) unrolled 3 steps on one weight, linear readout, MSE', build: () => buildLstmSineGraph() },
  { name: 'mlp-addition', description: 'sigmoid MLP 24-128-64-12 without biases, batch 10, summed cross-entropy of the logits', build: () => buildMlpAdditionGraph() },
  { name: 'vae-fmnist', description: 'VAE 784-400-(μ, log σ² 20)-400-784, batch 128, (BCE_sum + KL_sum) / batch', build: () => buildVaeFmnistGraph() },
  { name: 'grid', description: 'NeuralGrid 784 → 4×3 grid of fused GridStep columns (sin) → 10, batch 4, softmax cross-entropy', build: () => buildGridGraph() },
];

function titleOf(model: BuiltinModel): string {
  return `${model.name}: ${model.description}`;
}

/** The DOT committed for a built-in model (graphs/<name>.dot); the graphs test compares against it. */
export function builtinDot(model: BuiltinModel): string {
  return toDot(model.build().root, { title: titleOf(model) });
}

/** Writes a built-in model's graph to `<dir>/<name>.dot`, titled as `builtinDot`, and on request SVG and PNG beside it. */
export function writeBuiltinGraph(model: BuiltinModel, dir: string, options: Omit<WriteGraphOptions, 'title'> = {}): Promise<string[]> {
  return writeGraph(model.build().root, path.join(dir, `${model.name}.dot`), { ...options, title: titleOf(model) });
}
