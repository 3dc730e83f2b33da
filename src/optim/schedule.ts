import { UsageError } from '../errors';

/** Learning rate as a function of the number of steps already taken (0 for the first step). */
export type LrSchedule = (step: number) => number;

export function constantLr(lr: number): LrSchedule {
  if (!(lr >= 0)) throw new UsageError(`constantLr: the learning rate must be ≥ 0, got ${lr}`);
  return () => lr;
}

/** lr = base · gamma^⌊step / every⌋: multiplied by `gamma` after every `every` steps. */
export function stepLr(base: number, every: number, gamma: number): LrSchedule {
  if (!(base >= 0)) throw new UsageError(`stepLr: base must be ≥ 0, got ${base}`);
  if (!Number.isInteger(every) || every < 1) throw new UsageError(`stepLr: every must be a positive integer, got ${every}`);
  if (!(gamma > 0)) throw new UsageError(`stepLr: gamma must be > 0, got ${gamma}`);
  return (step) => base * gamma ** Math.floor(step / every);
}

/**
 * lr = min + (base − min) · ½(1 + cos(π · step / total)), then `min` from step `total` on:
 * a half cosine from `base` down to `min` over `total` steps.
 */
export function cosineLr(base: number, total: number, min = 0): LrSchedule {
  if (!(base >= min && min >= 0)) throw new UsageError(`cosineLr: need base ≥ min ≥ 0, got base ${base}, min ${min}`);
  if (!Number.isInteger(total) || total < 1) throw new UsageError(`cosineLr: total must be a positive integer, got ${total}`);
  return (step) => min + (base - min) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, total)) / total));
}
