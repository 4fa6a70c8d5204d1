/**
 * The bug catalog: real student bugs written as mutants of the reference solutions, and the
 * command that measures the test suites against them (`tinykv mutants`). A mutant is one
 * find/replace edit of one reference file; the stage it belongs to catches it when at least one
 * of its tests (public or hidden) fails on the mutated reference.
 *
 * Catalog files: `grader/mutants/<stage>.json`, shaped
 * `{ "stage": id, "mutants": [{ "id", "bug", "source", "file", "find", "replace" }] }`.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileFileInto, precompileTree, provideCompiled, type PrecompiledTree } from './precompile';
import { loadRubric } from './rubric';
import { KIT_ROOT, WORK_ROOT } from './repo-paths';
import { PRECOMPILED_JEST_FILES } from './sandbox-run';
import { scoreStage } from './score-stage';
import { runStageProcess } from './stage-process';
import { stageTestFiles } from './grade';
import type { StageDefinition } from './stages';
import { buildWorkspace } from './workspace';
import { claimWorkspaceRoot } from './workspace-claim';

/** One student bug as an edit of a reference file. */
export interface Mutant {
  /** Kebab-case, unique within its stage. */
  readonly id: string;
  /** What the student did wrong and what goes wrong because of it. */
  readonly bug: string;
  /** Where the bug is documented (seed note, paper section, ...). */
  readonly source: string;
  /** The reference file to edit, repository-relative (`reference/...`). */
  readonly file: string;
  /** Text that occurs exactly once in that file. */
  readonly find: string;
  /** What it becomes. */
  readonly replace: string;
}

/** A catalog problem: the kit is broken, not a submission. */
export class MutantCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutantCatalogError';
  }
}

/** Where a stage's catalog lives. */
export function catalogPath(stage: StageDefinition): string {
  return `grader/mutants/${stage.id}.json`;
}

/** The mutants of a stage (none when it has no catalog file). @throws MutantCatalogError when malformed. */
export function loadMutants(stage: StageDefinition, root: string = KIT_ROOT): Mutant[] {
  const file = path.join(root, ...catalogPath(stage).split('/'));
  if (!fs.existsSync(file)) return [];
  let parsed: { stage?: unknown; mutants?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { stage?: unknown; mutants?: unknown };
  } catch (error) {
    throw new MutantCatalogError(`Cannot read ${catalogPath(stage)}: ${(error as Error).message}`);
  }
  if (parsed.stage !== stage.id || !Array.isArray(parsed.mutants)) {
    throw new MutantCatalogError(`${catalogPath(stage)} must look like { "stage": "${stage.id}", "mutants": [...] }.`);
  }
  const seen = new Set<string>();
  return parsed.mutants.map((raw: unknown, index: number) => {
    const mutant = raw as Partial<Record<keyof Mutant, unknown>>;
    for (const field of ['id', 'bug', 'source', 'file', 'find', 'replace'] as const) {
      if (typeof mutant[field] !== 'string' || (field !== 'replace' && mutant[field] === '')) {
        throw new MutantCatalogError(`${catalogPath(stage)}: mutant #${index + 1} needs a string "${field}".`);
      }
    }
    const checked = mutant as Mutant;
    if (seen.has(checked.id)) throw new MutantCatalogError(`${catalogPath(stage)}: the id "${checked.id}" is used twice.`);
    seen.add(checked.id);
    if (!checked.file.startsWith('reference/')) throw new MutantCatalogError(`${catalogPath(stage)}: mutant ${checked.id} edits ${checked.file}, which is not under reference/.`);
    return checked;
  });
}

/** Applies a mutant to the twin of its file inside a reference workspace. @throws MutantCatalogError unless `find` occurs exactly once. */
export function applyMutant(workspace: string, mutant: Mutant): void {
  const target = path.join(workspace, 'labs', ...mutant.file.slice('reference/'.length).split('/'));
  const source = fs.readFileSync(target, 'utf8');
  const occurrences = source.split(mutant.find).length - 1;
  if (occurrences !== 1) {
    throw new MutantCatalogError(`Mutant ${mutant.id}: its "find" text occurs ${occurrences} times in ${mutant.file}; it must occur exactly once.`);
  }
  fs.writeFileSync(target, source.replace(mutant.find, () => mutant.replace));
}

/** A test that is known to fail on a mutant: run first, so that most mutants cost one test, not a stage. */
export interface KillHint {
  /** The test file, workspace-relative (`labs/...` or `grader/hidden/...`). */
  readonly file: string;
  /** The test's full name, as jest reports it. */
  readonly test: string;
}

/** Where the kill hints live; `tinykv mutants --full --write-hints` writes them. */
export const KILL_HINTS_FILE = 'grader/mutants/kill-hints.json';

/** The kill hints, keyed `<stage>/<mutant id>` (none when the file is missing or malformed: every mutant then runs its whole stage). */
export function loadKillHints(root: string = KIT_ROOT): Map<string, KillHint> {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(root, ...KILL_HINTS_FILE.split('/')), 'utf8')) as { hints?: Record<string, KillHint> };
    return new Map(Object.entries(parsed.hints ?? {}).filter(([, hint]) => typeof hint?.file === 'string' && typeof hint?.test === 'string'));
  } catch {
    return new Map();
  }
}

/** The kill-hints file for `results` (full runs), in catalog order. */
export function killHintsFile(results: readonly MutantResult[]): string {
  const hints: Record<string, KillHint> = {};
  for (const result of results) if (result.killed_by) hints[`${result.stage}/${result.id}`] = result.killed_by;
  return `${JSON.stringify({ note: 'Generated by `tinykv mutants --full --write-hints`: for each mutant, one test that fails on it.', hints }, null, 2)}\n`;
}

/** What the stage's tests did to one mutant. JSON field names are stable. */
export interface MutantResult {
  readonly stage: string;
  readonly id: string;
  readonly bug: string;
  /** At least one test failed (or the stage did not complete). */
  readonly caught: boolean;
  /** At least one public test failed: a student sees it before grading. */
  readonly caught_by_public: boolean;
  /** The tests that failed, first ones first. */
  readonly failing_tests: readonly string[];
  /** One failing test (a public one when any public test failed): the mutant's kill hint. */
  readonly killed_by?: KillHint;
  /** `hint`: only the hinted test was run, and it failed; `stage`: the whole stage was run. */
  readonly checked_by: 'hint' | 'stage';
  readonly status: string;
  readonly wall_ms: number;
}

/** A jest name pattern that matches exactly `name`. */
function exactName(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

function isHidden(file: string): boolean {
  return file.startsWith('grader/hidden/');
}

/** Names, in a mutant's folder, the one file the last mutant there changed. */
const LAST_MUTATED = '.last-mutated';

/**
 * Makes `dir` a copy of `tree` with `mutant` applied. A folder left by an earlier mutant is
 * reused: only the file that mutant changed is copied back, which saves copying the whole tree
 * (and keeps jest's cache warm) for each of the catalog's mutants.
 */
function prepareMutantDir(tree: string, dir: string, mutant: Mutant, precompiled?: PrecompiledTree): void {
  const marker = path.join(dir, LAST_MUTATED);
  let last: string | undefined;
  try {
    last = fs.readFileSync(marker, 'utf8');
  } catch {
    last = undefined;
  }
  if (last === undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(tree, dir, { recursive: true, verbatimSymlinks: true });
    if (precompiled) {
      // The grader's jest configuration and transformer: the tree's outputs, no compiler to load.
      const graderDir = path.join(dir, '.grader');
      fs.mkdirSync(graderDir);
      for (const [file, name] of PRECOMPILED_JEST_FILES) fs.copyFileSync(path.join(KIT_ROOT, file), path.join(graderDir, name));
      provideCompiled(precompiled, ['labs/', 'grader/hidden/'], path.join(graderDir, 'compiled'));
    }
  } else if (last !== '') {
    fs.copyFileSync(path.join(tree, ...last.split('/')), path.join(dir, ...last.split('/')));
  }
  // Until the mutant is in place the folder's state is unknown: a failure below forces a full copy next time.
  fs.rmSync(marker, { force: true });
  applyMutant(dir, mutant);
  const mutated = `labs/${mutant.file.slice('reference/'.length)}`;
  if (precompiled) compileFileInto(dir, mutated, path.join(dir, '.grader', 'compiled'));
  fs.writeFileSync(marker, mutated);
}

/**
 * Runs one mutant: copies `tree` (a reference workspace), applies the mutant, and runs its
 * hinted test; when there is no hint, or the hinted test passes (the hint is stale), the whole
 * stage runs.
 */
export async function runMutant(stage: StageDefinition, mutant: Mutant, tree: string, dir: string, seeds?: number, hint?: KillHint, precompiled?: PrecompiledTree): Promise<MutantResult> {
  const started = process.hrtime.bigint();
  prepareMutantDir(tree, dir, mutant, precompiled);
  const env: Record<string, string> = seeds !== undefined ? { TINYKV_SEEDS: String(seeds) } : {};
  const config = precompiled ? { config: path.join(dir, '.grader', 'jest.config.js') } : {};
  const common = { workspace: dir, timeLimitSeconds: stage.timeLimitSeconds, memoryLimitMb: stage.memoryLimitMb, env, ...config };
  const elapsed = (): number => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  if (hint && fs.existsSync(path.join(dir, ...hint.file.split('/')))) {
    const hinted = await runStageProcess({ ...common, testFiles: [hint.file], testNamePattern: exactName(hint.test) });
    if (hinted.tests.some((test) => test.name === hint.test && test.status === 'failed')) {
      return {
        stage: stage.id,
        id: mutant.id,
        bug: mutant.bug,
        caught: true,
        caught_by_public: !isHidden(hint.file),
        failing_tests: [hint.test],
        killed_by: hint,
        checked_by: 'hint',
        status: 'failed',
        wall_ms: elapsed(),
      };
    }
  }
  const rubric = loadRubric(KIT_ROOT, stage);
  const result = await runStageProcess({ ...common, testFiles: stageTestFiles(stage, dir) });
  const scored = scoreStage(rubric, result);
  const failing = scored.tests.filter((test) => test.status !== 'passed');
  const failedRuns = result.tests.filter((test) => test.status === 'failed');
  const killer = failedRuns.find((test) => !isHidden(test.file)) ?? failedRuns[0];
  return {
    stage: stage.id,
    id: mutant.id,
    bug: mutant.bug,
    caught: failing.length > 0 || scored.status !== 'passed',
    caught_by_public: failing.some((test) => !test.hidden),
    failing_tests: failing.map((test) => test.name),
    ...(killer ? { killed_by: { file: killer.file, test: killer.name } } : {}),
    checked_by: 'stage',
    status: scored.status,
    wall_ms: elapsed(),
  };
}

/** Runs every mutant of `stages`, `parallelism` at a time (each by its hint when `hints` has one), and returns the results in catalog order. */
export async function runCatalog(
  stages: readonly StageDefinition[],
  parallelism: number,
  seeds?: number,
  onResult?: (result: MutantResult) => void,
  hints: ReadonlyMap<string, KillHint> = new Map(),
): Promise<MutantResult[]> {
  const work = stages.flatMap((stage) => loadMutants(stage).map((mutant) => ({ stage, mutant })));
  if (work.length === 0) return [];
  fs.mkdirSync(WORK_ROOT, { recursive: true });
  const claim = claimWorkspaceRoot(path.join(WORK_ROOT, 'mutants'));
  try {
    const tree = buildWorkspace({ impl: 'reference', referenceStages: [] }, path.join(claim.dir, 'tree'));
    // Compiled once for every mutant: each run then loads outputs instead of the compiler.
    const precompiled = precompileTree(tree, path.join(claim.dir, 'compiled'));
    // Folders of an earlier run hold an earlier tree: each slot starts from a full copy.
    for (const entry of fs.readdirSync(claim.dir)) if (entry.startsWith('slot-')) fs.rmSync(path.join(claim.dir, entry), { recursive: true, force: true });
    const results: MutantResult[] = new Array(work.length);
    let next = 0;
    const workers = Array.from({ length: Math.max(1, Math.min(parallelism, work.length)) }, async (_, slot) => {
      while (next < work.length) {
        const index = next++;
        const { stage, mutant } = work[index];
        results[index] = await runMutant(stage, mutant, tree, path.join(claim.dir, `slot-${slot}`), seeds, hints.get(`${stage.id}/${mutant.id}`), precompiled);
        onResult?.(results[index]);
      }
    });
    await Promise.all(workers);
    return results;
  } finally {
    claim.release();
  }
}
