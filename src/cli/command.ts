/** One `wiregrad` subcommand. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The whole `--help` text: usage line, arguments, flags with their defaults. */
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

// Flags are parsed and checked in ./flags; this re-export serves code that still imports it from here.
