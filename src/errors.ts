/**
 * One error family for the whole engine. `code` is stable: programs and tests match on it,
 * never on the message text.
 */
export type ErrorCode =
  | 'E_SHAPE'
  | 'E_WIRING'
  | 'E_DTYPE'
  | 'E_NUMERICS'
  | 'E_IDX'
  | 'E_CHECKPOINT'
  | 'E_NATIVE_ARG'
  | 'E_BACKEND'
  | 'E_USAGE'
  | 'E_IO';

export class EngineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Shapes that do not fit a node kind's rule, or a non-scalar root. */
export class ShapeError extends EngineError {
  constructor(message: string) {
    super('E_SHAPE', message);
  }
}

/** The graph is wired wrongly: cycles, foreign nodes, unfed inputs, gradients that arrive late or twice. */
export class WiringError extends EngineError {
  constructor(message: string) {
    super('E_WIRING', message);
  }
}

/** A matrix of the other dtype was given to a graph. */
export class DtypeError extends EngineError {
  constructor(message: string) {
    super('E_DTYPE', message);
  }
}

/** NaN or Inf found while numerics checking is on. */
export class NumericsError extends EngineError {
  constructor(message: string) {
    super('E_NUMERICS', message);
  }
}

/** A malformed IDX file; the message names the file and the byte offset. */
export class IdxError extends EngineError {
  constructor(message: string) {
    super('E_IDX', message);
  }
}

/** A malformed or mismatching checkpoint; the message names the file and what is wrong. */
export class CheckpointError extends EngineError {
  constructor(message: string) {
    super('E_CHECKPOINT', message);
  }
}

/** The native backend could not be used (strict mode) or was asked for when absent. */
export class BackendError extends EngineError {
  constructor(message: string) {
    super('E_BACKEND', message);
  }
}

/** A bad command-line flag, option or argument value. */
export class UsageError extends EngineError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** A file could not be read or written. */
export class IoError extends EngineError {
  constructor(message: string) {
    super('E_IO', message);
  }
}
