import { Add } from './add';
import { Inner } from './inner';
import { Mul } from './mul';
import { AnyOpKind } from './op';
import { Ref } from './ref';
import { Sum } from './sum';
import { Tanh } from './tanh';
import { Tensor } from './tensor';

/**
 * The single table of node kinds. Tests, DOT export and checkpoints iterate it; adding a kind
 * is its own file plus one line here.
 */
export const registry: readonly AnyOpKind[] = [Tensor, Ref, Add, Mul, Inner, Tanh, Sum];

export function kindNamed(kind: string): AnyOpKind | undefined {
  return registry.find((k) => k.kind === kind);
}
