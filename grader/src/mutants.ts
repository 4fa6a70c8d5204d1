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
import { loadRubric } from './rubric';
import { KIT_ROOT, WORK_ROOT } from './repo-paths';
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
  readonly status: string;
  readonly wall_ms: number;
}

/** Runs one mutant: copies `tree` (a reference workspace), applies the mutant, runs its stage. */
export async function runMutant(stage: StageDefinition, mutant: Mutant, tree: string, dir: string, seeds?: number): Promise<MutantResult> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(tree, dir, { recursive: true, verbatimSymlinks: true });
  applyMutant(dir, mutant);
  const rubric = loadRubric(KIT_ROOT, stage);
  const result = await runStageProcess({
    workspace: dir,
    testFiles: stageTestFiles(stage, dir),
    timeLimitSeconds: stage.timeLimitSeconds,
    memoryLimitMb: stage.memoryLimitMb,
    env: seeds !== undefined ? { TINYKV_SEEDS: String(seeds) } : {},
  });
  const scored = scoreStage(rubric, result);
  const failing = scored.tests.filter((test) => test.status !== 'passed');
  return {
    stage: stage.id,
    id: mutant.id,
    bug: mutant.bug,
    caught: failing.length > 0 || scored.status !== 'passed',
    caught_by_public: failing.some((test) => !test.hidden),
    failing_tests: failing.map((test) => test.name),
    status: scored.status,
    wall_ms: Math.round(result.wallMs),
  };
}

/** Runs every mutant of `stages`, `parallelism` at a time, and returns the results in catalog order. */
export async function runCatalog(stages: readonly StageDefinition[], parallelism: number, seeds?: number, onResult?: (result: MutantResult) => void): Promise<MutantResult[]> {
  const work = stages.flatMap((stage) => loadMutants(stage).map((mutant) => ({ stage, mutant })));
  if (work.length === 0) return [];
  fs.mkdirSync(WORK_ROOT, { recursive: true });
  const claim = claimWorkspaceRoot(path.join(WORK_ROOT, 'mutants'));
  try {
    const tree = buildWorkspace({ impl: 'reference', referenceStages: [] }, path.join(claim.dir, 'tree'));
    const results: MutantResult[] = new Array(work.length);
    let next = 0;
    const workers = Array.from({ length: Math.max(1, Math.min(parallelism, work.length)) }, async (_, slot) => {
      while (next < work.length) {
        const index = next++;
        const { stage, mutant } = work[index];
        results[index] = await runMutant(stage, mutant, tree, path.join(claim.dir, `slot-${slot}`), seeds);
        onResult?.(results[index]);
      }
    });
    await Promise.all(workers);
    return results;
  } finally {
    claim.release();
  }
}
