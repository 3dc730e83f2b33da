import { Command } from './command';
import { demo } from './demo';
import { doctor } from './doctor';
import { experiment } from './experiment';
import { graph } from './graph';

/** Every `wiregrad` subcommand, in the order `wiregrad --help` lists them. */
export const commands: readonly Command[] = [
  graph,
  demo,
  experiment,
  doctor,
];
