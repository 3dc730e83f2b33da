import { parseArgs } from 'node:util';
import { UsageError } from '../errors';

/** One `wiregrad` subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The whole `--help` text: usage line, arguments, flags with their defaults. */
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean; multiple?: boolean }>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Parses flags strictly: an unknown flag or a missing value is a UsageError naming the flag.
 * `--help` is always accepted; callers print their help text when it is set.
 */
export function parseFlags(command: string, argv: readonly string[], spec: FlagSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' }, ...spec },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    // node's parser explains itself over several lines; the CLI answers in one
    const message = (e instanceof Error ? e.message.replace(/\. To specify a positional.*$/s, '') : String(e)).replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`${command}: ${message} (see 'wiregrad ${command} --help')`);
  }
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
