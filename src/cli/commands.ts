import { Command } from './command';
import { demo } from './demo';
import { doctor } from './doctor';
import { experiment } from './experiment';
import { generate } from './generate';
import { graph } from './graph';
import { mainJob } from './main-job';
import { sample } from './sample';
import { train } from './train';

/** Every `wiregrad` subcommand, in the order `wiregrad --help` lists them. */
export const commands: readonly Command[] = [
  mainJob,
  train,
  generate,
  sample,
  graph,
  demo,
  experiment,
  doctor,
];
