import { resolveBackend } from '../backend/auto';
import { setThreads } from '../backend/native';
import { UsageError } from '../errors';
import { DType } from '../tensor/matrix';
import { choiceFlag, FlagSpec, intFlag, parseFlags } from './command';

/** One flag of a subcommand: its parse spec and its line in `--help`. */
export interface FlagDef {
  name: string;
  /** Placeholder of the value (`N`, `DIR`); a flag without one is a switch. */
  value?: string;
  /** The default, as `--help` shows it; `undefined` means none. */
  default?: string | number | boolean;
  help: string;
}

/** The flags every training and sampling command shares, with that command's defaults. */
export function commonFlags(defaults: { seed: number | string; dtype: DType | string }): FlagDef[] {
  return [
    { name: 'seed', value: 'N', default: defaults.seed, help: 'seed of the one random generator: same seed, same run' },
    { name: 'dtype', value: 'float32|float64', default: defaults.dtype, help: 'number type of the graph' },
    { name: 'threads', value: 'N', help: 'threads of the native matrix products (default: $WIREGRAD_THREADS, else 1)' },
  ];
}

/** The whole `--help` text: usage, what it does, arguments, and every flag with its default. */
export function helpText(usage: string, about: string, args: readonly [string, string][], flags: readonly FlagDef[]): string {
  const help: FlagDef = { name: 'help', help: 'print this help and exit' };
  const flagLines = [...flags, help].map((f) => {
    const left = `  --${f.name}${f.value ? ` ${f.value}` : ''}`;
    const def = f.default === undefined ? '' : ` (default: ${String(f.default)})`;
    return [left, `${f.help}${def}`] as const;
  });
  const width = Math.max(...flagLines.map(([l]) => l.length), ...args.map(([a]) => a.length + 2));
  const lines = [`usage: ${usage}`, '', about];
  if (args.length > 0) lines.push('', 'arguments:', ...args.map(([a, h]) => `  ${a.padEnd(width - 2)}  ${h}`));
  lines.push('', 'flags:', ...flagLines.map(([l, h]) => `${l.padEnd(width)}  ${h}`));
  return lines.join('\n') + '\n';
}

export interface ParsedFlags {
  /** Raw values of the flags given, defaults applied; switches are booleans. */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

/** Parses strictly against the table; defaults come from the same table as the help text. */
export function parseWith(command: string, argv: readonly string[], flags: readonly FlagDef[]): ParsedFlags {
  const spec: FlagSpec = {};
  for (const f of flags) spec[f.name] = { type: f.value ? 'string' : 'boolean' };
  const parsed = parseFlags(command, argv, spec);
  const values: Record<string, string | boolean | undefined> = {};
  for (const f of flags) {
    // no flag is declared `multiple`, so each value is a single string or boolean
    const v = parsed.values[f.name] as string | boolean | undefined;
    values[f.name] = v ?? (f.value ? (f.default === undefined ? undefined : String(f.default)) : false);
  }
  return { values, positionals: parsed.positionals, help: parsed.values.help === true };
}

export interface CommonOptions {
  seed: number;
  dtype: DType;
  threads: number;
}

/** Reads --seed, --dtype and --threads, and sizes the native thread pool. */
export function readCommon(command: string, values: ParsedFlags['values']): CommonOptions {
  const common: CommonOptions = {
    seed: intFlag(command, 'seed', values.seed, 0, 2 ** 32 - 1),
    dtype: choiceFlag(command, 'dtype', values.dtype, ['float32', 'float64'] as const),
    threads: intFlag(command, 'threads', values.threads ?? process.env.WIREGRAD_THREADS ?? '1', 1, 1024),
  };
  // The backend is chosen now rather than at the first product, so that --threads overrides
  // $WIREGRAD_THREADS, which the choice applies. One thread unless asked: on a shared 2-core
  // machine a second BLAS thread that waits for a busy core makes every product slower.
  resolveBackend();
  setThreads(common.threads);
  return common;
}

/** Exactly the named positional arguments, or a usage error that names what is missing or extra. */
export function positionals(command: string, given: readonly string[], names: readonly string[]): string[] {
  if (given.length < names.length) {
    throw new UsageError(`${command}: missing ${names.slice(given.length).map((n) => `<${n}>`).join(' ')} (see 'wiregrad ${command} --help')`);
  }
  if (given.length > names.length) throw new UsageError(`${command}: unexpected argument '${given[names.length]}'`);
  return [...given];
}
