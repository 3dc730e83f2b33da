import { parseArgs } from 'node:util';
import { resolveBackend } from '../backend/auto';
import { setThreads } from '../backend/native';
import { UsageError } from '../errors';
import { DType } from '../tensor/matrix';

/** One flag of a subcommand: its parse spec and its line in `--help`. */
export interface FlagDef {
  name: string;
  /** Placeholder of the value (`N`, `DIR`); a flag without one is a switch. */
  value?: string;
  /** The default, as `--help` shows it; `undefined` means none. */
  default?: string | number | boolean;
  help: string;
}

/** --threads N, read by `readCommon`. */
export const threadsFlag: FlagDef = { name: 'threads', value: 'N', help: 'threads of the native matrix products (default: $WIREGRAD_THREADS, else 1)' };

/** The flags every training and sampling command shares, with that command's defaults. */
export function commonFlags(defaults: { seed: number | string; dtype: DType | string }): FlagDef[] {
  return [
    { name: 'seed', value: 'N', default: defaults.seed, help: 'seed of the one random generator: same seed, same run' },
    { name: 'dtype', value: 'float32|float64', default: defaults.dtype, help: 'number type of the graph' },
    threadsFlag,
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

/**
 * Parses strictly against the table: an unknown flag or a missing value is a UsageError naming
 * the flag. `--help` is always accepted; callers print their help text when it is set.
 * Defaults come from the same table as the help text.
 */
export function parseWith(command: string, argv: readonly string[], flags: readonly FlagDef[]): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const f of flags) options[f.name] = { type: f.value ? 'string' : 'boolean' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    // node's parser explains itself over several lines; the CLI answers in one
    const message = (e instanceof Error ? e.message.replace(/\. To specify a positional.*$/s, '') : String(e)).replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`${command}: ${message} (see 'wiregrad ${command} --help')`);
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const f of flags) {
    // no flag is declared `multiple`, so each value is a single string or boolean
    const v = parsed.values[f.name] as string | boolean | undefined;
    values[f.name] = v ?? (f.value ? (f.default === undefined ? undefined : String(f.default)) : false);
  }
  return { values, positionals: parsed.positionals, help: parsed.values.help === true };
}

/** An integer flag in [min, max]; the error names the flag and the value. */
export function intFlag(command: string, name: string, raw: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(raw);
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${command}: --${name} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  return v;
}

/** A finite number flag in [min, max]. */
export function numberFlag(command: string, name: string, raw: unknown, min = -Infinity, max = Infinity): number {
  const text = String(raw);
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new UsageError(`${command}: --${name} must be a number in [${min}, ${max}], got '${text}'`);
  }
  return v;
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(command: string, name: string, raw: unknown, choices: readonly T[]): T {
  const text = String(raw);
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`${command}: --${name} must be one of ${choices.join(', ')}, got '${text}'`);
  }
  return text as T;
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

/** A subcommand's command line as read: flag values (defaults applied) and the named arguments. */
export interface CommandLine {
  values: ParsedFlags['values'];
  args: string[];
}

/**
 * Reads a subcommand's command line: the flags by their table, then exactly the named
 * positional arguments. With --help it prints `help` instead and returns null (exit 0).
 */
export function parseCommand(command: string, help: string, argv: readonly string[], flags: readonly FlagDef[], names: readonly string[]): CommandLine | null {
  const parsed = parseWith(command, argv, flags);
  if (parsed.help) {
    process.stdout.write(help);
    return null;
  }
  return { values: parsed.values, args: positionals(command, parsed.positionals, names) };
}
