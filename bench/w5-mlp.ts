// W5 MLP binary addition (the seed task) through wiregrad (bench/small-graphs.ts builds it):
// the graph is built once; each of the 100 batches of an epoch is reset → feed → forward →
// backward → update.
import { args, emit, now, stepsBegin, stepsEnd } from './harness';
import { w5Training } from './small-graphs';
import { wiregradInfo } from './wiregrad-info';

const a = args();
const training = w5Training();

const errors: number[] = [];
const times: number[] = [];
stepsBegin();
for (let e = 0; e < a.warmup + a.steps; e++) {
  const t0 = now();
  errors.push(training.run(e));
  if (e >= a.warmup) times.push(now() - t0);
}
stepsEnd();
emit({
  system: 'wiregrad', ...wiregradInfo(), workload: 'w5', dtype: 'float64', threads: a.threads, unit: 'epoch',
  times, setup: 0, check: { error_epoch1: errors[0], errors: errors.slice(0, 3) },
});
