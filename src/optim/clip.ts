import { UsageError } from '../errors';
import type { Node } from '../graph/node';

/**
 * Scales every gradient of `params` by one factor so that their joint L2 norm is at most
 * `maxNorm` (direction kept). Returns the norm before clipping. Call between backward and step.
 */
export function clipGradNorm(params: readonly Node[], maxNorm: number): number {
  if (!(maxNorm > 0)) throw new UsageError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  let sq = 0;
  for (const p of params) {
    const g = p.grad?.data;
    if (g) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  }
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const factor = maxNorm / norm;
    for (const p of params) {
      const g = p.grad?.data;
      if (g) for (let i = 0; i < g.length; i++) g[i] *= factor;
    }
  }
  return norm;
}

/** Clamps every gradient element of `params` into [−limit, limit]. Returns how many were clamped. */
export function clipGradValue(params: readonly Node[], limit: number): number {
  if (!(limit > 0)) throw new UsageError(`clipGradValue: limit must be > 0, got ${limit}`);
  let clamped = 0;
  for (const p of params) {
    const g = p.grad?.data;
    if (!g) continue;
    for (let i = 0; i < g.length; i++) {
      const clampedValue = Math.min(limit, Math.max(-limit, g[i]));
      if (clampedValue !== g[i]) {
        g[i] = clampedValue;
        clamped++;
      }
    }
  }
  return clamped;
}
