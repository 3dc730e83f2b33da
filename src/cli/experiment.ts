import * as path from 'node:path';
import { setThreads } from '../backend/native';
import { UsageError } from '../errors';
import { writeOut } from '../experiments/experiment';
import { experiments } from '../experiments/registry';
import { Command } from './command';
import { shown } from './files';
import { FlagDef, helpText, intFlag, parseWith, positionals } from './flags';
import { Progress } from './progress';

const flags: readonly FlagDef[] = [
  { name: 'seed', value: 'N', default: 1, help: 'seed of the one random generator: same seed, same run' },
  { name: 'replications', value: 'N', help: 'seeded repetitions of each configuration (default: per experiment)' },
  { name: 'out', value: 'DIR', default: 'runs/experiments/<name>', help: 'folder for results.json, results.md and the plots and logs' },
  { name: 'threads', value: 'N', default: 1, help: 'threads of the native matrix products (1 is fastest on a busy machine)' },
  { name: 'quick', help: 'shrink every loop to a smoke-test size' },
  { name: 'rule', value: 'mlp|lstm|both', help: 'meta-rule only: which learned rule to meta-train (default: both)' },
  { name: 'update', value: 'delta|seed000|both', help: 'heat-exchanger only: which exchange update to run (default: both)' },
];

/** Flags that belong to one experiment: given to another, they are a mistake, not a no-op. */
const ownFlags: Readonly<Record<string, string>> = { rule: 'meta-rule', update: 'heat-exchanger' };

/** `wiregrad experiment NAME`: runs one learning-rule experiment and writes its tables. */
export const experiment: Command = {
  name: 'experiment',
  summary: 'run a learning-rule experiment (hebbian, heat-exchanger, dni-addition, dni-fmnist, …)',
  help: helpText(
    'wiregrad experiment NAME [flags]',
    'Runs one experiment on learning rules other than backprop and writes results.json and\n' +
      'results.md (markdown tables) into --out; progress goes to stderr.',
    [['NAME', 'the experiment, one of:'], ...experiments.map((e): [string, string] => [`  ${e.name}`, e.summary])],
    flags,
  ),
  async run(argv) {
    const { values, positionals: rest, help } = parseWith('experiment', argv, flags);
    if (help) {
      process.stdout.write(this.help);
      return 0;
    }
    const [name] = positionals('experiment', rest, ['NAME']);
    const chosen = experiments.find((e) => e.name === name);
    if (!chosen) throw new UsageError(`experiment: unknown experiment '${name}' (experiments: ${experiments.map((e) => e.name).join(', ')})`);
    const seed = intFlag('experiment', 'seed', values.seed, 0, 2 ** 32 - 1);
    const replications = values.replications === undefined ? chosen.defaultReplications : intFlag('experiment', 'replications', values.replications, 1, 100_000);
    if (!chosen.replicates && replications !== 1) throw new UsageError(`experiment: ${chosen.name} runs once per seed; vary --seed instead of --replications`);
    const options: Record<string, string> = {};
    for (const [flag, owner] of Object.entries(ownFlags)) {
      const v = values[flag];
      if (v === undefined) continue;
      if (owner !== chosen.name) throw new UsageError(`experiment: --${flag} belongs to ${owner}, not ${chosen.name}`);
      options[flag] = String(v);
    }
    setThreads(intFlag('experiment', 'threads', values.threads, 1, 1024));
    const out = values.out === 'runs/experiments/<name>' ? path.join('runs', 'experiments', chosen.name) : String(values.out);
    const result = await chosen.run({
      seed,
      replications,
      out,
      quick: values.quick === true,
      options,
      progress: (label, total) => new Progress(label, total),
    });
    const files = [
      writeOut(out, 'results.json', JSON.stringify({ experiment: result.name, seed, replications, data: result.data }, null, 2) + '\n'),
      writeOut(out, 'results.md', result.markdown),
      ...result.files,
    ];
    process.stdout.write(result.markdown + '\n');
    process.stdout.write(`wrote ${files.filter((f): f is string => f !== null).map(shown).join(', ')}\n`);
    return 0;
  },
};
