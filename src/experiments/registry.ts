import { Experiment } from './experiment';
import { dniAddition } from './dni-addition';
import { dniFmnist } from './dni-fmnist';
import { heatExchanger } from './heat-exchanger';
import { hebbian } from './hebbian';
import { metaRule } from './meta-rule';

/** Every experiment `wiregrad experiment NAME` can run. */
export const experiments: readonly Experiment[] = [hebbian, heatExchanger, dniAddition, dniFmnist, metaRule];
