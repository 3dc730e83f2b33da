import * as os from 'os';
import * as path from 'path';

// Fault injection: the real fs, except that the test can make one call fail like a full disk would.
jest.mock('fs', () => {
  const real = jest.requireActual('fs');
  return { ...real, writeSync: jest.fn(real.writeSync), fsyncSync: jest.fn(real.fsyncSync), renameSync: jest.fn(real.renameSync) };
});

import * as fs from 'fs';
import { Graph, IoError, loadCheckpoint, Matrix, saveCheckpoint } from '../src';
import { expectCodedError } from './helpers';

const mocked = fs as jest.Mocked<typeof fs>;
const failure = (code: string) => (): never => {
  throw Object.assign(new Error(`${code}: injected`), { code });
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function model(v: number): Graph {
  const g = new Graph();
  g.param('w', Matrix.from([[v, v + 1, v + 2]]));
  return g;
}

describe('atomic checkpoint writes', () => {
  const faults: [string, () => void][] = [
    ['the data write (ENOSPC)', () => mocked.writeSync.mockImplementationOnce(failure('ENOSPC'))],
    ['the fsync (EIO)', () => mocked.fsyncSync.mockImplementationOnce(failure('EIO'))],
    ['the rename (EXDEV)', () => mocked.renameSync.mockImplementationOnce(failure('EXDEV'))],
  ];
  for (const [where, inject] of faults) {
    it(`a failure in ${where} keeps the old file byte-identical and removes the temp file`, () => {
      const file = path.join(dir, 'model.safetensors');
      saveCheckpoint(file, model(1));
      const before = fs.readFileSync(file);
      inject();
      expectCodedError(() => saveCheckpoint(file, model(5)), IoError, 'E_IO', file);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
      // and the next save works and replaces it
      saveCheckpoint(file, model(5));
      const g = model(0);
      loadCheckpoint(file, g);
      expect(Array.from(g.node('w').value.data)).toEqual([5, 6, 7]);
    });
  }
});
