import * as path from 'node:path';
import { CheckpointError } from '../errors';
import type { Graph } from '../graph/graph';
import { loadCheckpoint, readCheckpoint } from '../io/checkpoint';
import { FlagDef, ParsedFlags } from './flags';

// What the commands that use a model trained by `train MODEL` share: where the checkpoint is,
// where their files go, and how the model is rebuilt from it.

/** --out's default: the checkpoint's folder, so the files land beside what `train` wrote. */
const BESIDE_CHECKPOINT = 'the folder of CKPT';

/** --from CKPT: a checkpoint written by `train MODEL`. */
export function fromFlag(model: string): FlagDef {
  return { name: 'from', value: 'CKPT', default: `runs/${model}/model.safetensors`, help: `a checkpoint written by 'wiregrad train ${model}'` };
}

/** --out DIR for the files named, by default the checkpoint's folder. */
export function outFlag(files: string): FlagDef {
  return { name: 'out', value: 'DIR', default: BESIDE_CHECKPOINT, help: `folder for ${files}` };
}

/** The folder --out names, with its default resolved against --from. */
export function outDir(values: ParsedFlags['values']): string {
  return values.out === BESIDE_CHECKPOINT ? path.dirname(String(values.from)) : String(values.out);
}

/**
 * The options a checkpoint written by `train` was trained with, after checking that it holds
 * `model`; the caller builds the model from them and loads the parameters.
 */
function checkpointOptions(file: string, model: string): Record<string, unknown> {
  const { metadata } = readCheckpoint(file);
  if (metadata.model !== model) {
    throw new CheckpointError(`${file}: holds ${metadata.model === undefined ? 'no model name' : `model '${metadata.model}'`}, not ${model} (train one with 'wiregrad train ${model}')`);
  }
  let options: unknown;
  try {
    options = JSON.parse(metadata.options ?? '');
  } catch {
    options = null;
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CheckpointError(`${file}: the metadata 'options' is not the JSON object of the model's options`);
  }
  return options as Record<string, unknown>;
}

/** Rebuilds `model` from a checkpoint written by `train`: built from the saved options, then its parameters loaded. */
export function loadTrained<M extends { graph: Graph }>(file: string, model: string, build: (options: Record<string, unknown>) => M): M {
  const built = build(checkpointOptions(file, model));
  loadCheckpoint(file, built.graph);
  return built;
}
