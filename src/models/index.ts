import { toDot } from '../graph/dot';
import { Graph } from '../graph/graph';
import { Node } from '../graph/node';
import { buildMlpDemo } from './mlp-demo';

/** A model that ships with wiregrad: its graph is exported to graphs/<name>.dot by `npm run graphs`. */
export interface BuiltinModel {
  name: string;
  description: string;
  build(): { graph: Graph; root: Node };
}

/** The built-in models, one line each; every builder lives in its own file. */
export const builtinModels: BuiltinModel[] = [
  { name: 'mlp-demo', description: 'two-layer perceptron 4-8-3, mean squared error', build: () => buildMlpDemo() },
];

/** The DOT committed for a built-in model (graphs/<name>.dot); the graphs test compares against it. */
export function builtinDot(model: BuiltinModel): string {
  return toDot(model.build().root, { title: `${model.name}: ${model.description}` });
}
