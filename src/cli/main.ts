#!/usr/bin/env node
import { EngineError } from '../errors';
import { commands } from './commands';

const VERSION: string = (require('../../package.json') as { version: string }).version;

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: wiregrad <command> [flags]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'wiregrad <command> --help' for the flags of one command.",
  ].join('\n');
}

/** Runs the CLI; returns the exit code. 2: bad usage; 1: the work failed. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`wiregrad ${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`wiregrad: unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof EngineError) {
      // flag errors already start with the command's name
      const text = e.message.startsWith(`${command.name}: `) ? e.message : `${command.name}: ${e.message}`;
      process.stderr.write(`wiregrad ${text} [${e.code}]\n`);
      return e.code === 'E_USAGE' ? 2 : 1;
    }
    process.stderr.write(`wiregrad ${command.name}: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.WIREGRAD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`wiregrad: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
