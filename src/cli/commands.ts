import { Command } from './command';

/** Every `wiregrad` subcommand, in the order `wiregrad --help` lists them. */
export const commands: readonly Command[] = [];
