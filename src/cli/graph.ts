import { UsageError } from '../errors';
import { ensureDir } from '../io/folder';
import { BuiltinModel, builtinModels, writeBuiltinGraph } from '../models/index';
import { Command } from './command';
import { shown } from './files';
import { FlagDef, helpText, parseCommand } from './flags';

const flags: readonly FlagDef[] = [
  { name: 'svg', help: 'also write MODEL.svg (laid out by Graphviz)' },
  { name: 'png', help: 'also write MODEL.png' },
  { name: 'lr', help: 'draw left to right instead of top to bottom' },
  { name: 'out', value: 'DIR', default: 'graphs', help: 'folder for the files' },
];

function findBuiltin(command: string, name: string): BuiltinModel {
  const model = builtinModels.find((m) => m.name === name);
  if (!model) throw new UsageError(`${command}: unknown model '${name}' (models: ${builtinModels.map((m) => m.name).join(', ')})`);
  return model;
}

/** Exports the computation graph of a built-in model as DOT, and on request SVG and PNG. */
export const graph: Command = {
  name: 'graph',
  summary: 'write the computation graph of a built-in model as DOT (and SVG/PNG)',
  get help() {
    return helpText(
      'wiregrad graph MODEL [flags]',
      'Builds the model and writes DIR/MODEL.dot; --svg and --png add the drawn graph beside it.',
      [['MODEL', `one of: ${builtinModels.map((m) => m.name).join(', ')}`]],
      flags,
    );
  },
  async run(argv) {
    const line = parseCommand('graph', this.help, argv, flags, ['MODEL']);
    if (!line) return 0;
    const { values, args: [name] } = line;
    const model = findBuiltin('graph', name);
    const out = ensureDir(String(values.out));
    const files = await writeBuiltinGraph(model, out, {
      rankdir: values.lr ? 'LR' : 'TB',
      svg: values.svg === true,
      png: values.png === true,
    });
    process.stdout.write(`${files.map(shown).join('\n')}\n`);
    return 0;
  },
};
