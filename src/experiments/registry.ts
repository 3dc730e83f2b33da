import { Experiment } from './experiment';
import { heatExchanger } from './heat-exchanger';
import { hebbian } from './hebbian';

/** Every experiment `wiregrad experiment NAME` can run. */
export const experiments: readonly Experiment[] = [hebbian, heatExchanger];
