// W2 LSTM-small through wiregrad (bench/small-graphs.ts builds it): the graph is built once; a
// step is reset → feed → forward → backward → update, as a user runs it.
import { args, emit, now, stepsBegin, stepsEnd } from './harness';
import { w2Training } from './small-graphs';
import { wiregradInfo } from './wiregrad-info';

const a = args();
const start = now();
const training = w2Training();
const setup = now() - start;

const losses: number[] = [];
const times: number[] = [];
stepsBegin();
for (let it = 0; it < a.warmup + a.steps; it++) {
  const t0 = now();
  const value = training.run(it);
  const elapsed = now() - t0;
  if (it < 5) losses.push(value);
  if (it >= a.warmup) times.push(elapsed);
}
stepsEnd();
emit({ system: 'wiregrad', ...wiregradInfo(), workload: 'w2', variant: 'block', dtype: 'float64', threads: a.threads, unit: 'step', times, setup, check: { losses } });
