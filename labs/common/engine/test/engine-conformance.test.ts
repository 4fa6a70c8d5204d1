/**
 * Kit self-test: runs the engine conformance suite (engine-conformance.ts) against every
 * backend.
 *
 * Goal: both backends obey the same contract. Method: `describe.each` over backend
 * factories; the LMDB factory opens each engine in its own temporary directory (removed
 * after the test) with `noSync`, since durability across a process crash is LMDB's job, not
 * ours; close/reopen durability is still checked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LmdbEngine } from '../lmdb-engine';
import { MemoryEngine } from '../memory-engine';
import { defineEngineConformance } from './engine-conformance';
import type { EngineBackend } from './engine-conformance';

const memoryBackend: EngineBackend = {
  name: 'memory',
  durable: false,
  open() {
    const engine = new MemoryEngine();
    return {
      engine,
      reopen() {
        throw new Error('The memory engine keeps nothing across close; it has no reopen.');
      },
      dispose: () => engine.close(),
    };
  },
};

const lmdbBackend: EngineBackend = {
  name: 'lmdb',
  durable: true,
  open() {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-engine-'));
    const engines = [LmdbEngine.open(directory, { noSync: true })];
    return {
      engine: engines[0],
      reopen() {
        engines[engines.length - 1].close();
        engines.push(LmdbEngine.open(directory, { noSync: true }));
        return engines[engines.length - 1];
      },
      dispose() {
        for (const engine of engines) engine.close();
        fs.rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

describe.each([memoryBackend, lmdbBackend])('engine conformance: $name', (backend) => {
  defineEngineConformance(backend);
});
