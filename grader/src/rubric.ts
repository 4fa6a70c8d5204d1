/**
 * Rubrics: how many points each test of a stage is worth.
 *
 * A stage has a public rubric (`grader/rubric/<id>.json`) and, in the instructor edition, a
 * hidden one next to its hidden tests. Both have the shape
 * `{ "stage": "<id>", "tests": { "<jest full test name>": points } }`.
 *
 * @module
 */
import * as fs from 'node:fs';
import { hiddenRubricPath, publicRubricPath, type StageDefinition } from './stages';

/** One scored test. */
export interface RubricEntry {
  /** Jest's full name: describe titles and the test title joined by spaces. */
  readonly name: string;
  /** Points earned when the test passes. */
  readonly points: number;
  /** Hidden tests exist only in the instructor edition. */
  readonly hidden: boolean;
}

/** A stage's rubric: its entries in file order, public first. */
export interface Rubric {
  readonly stage: string;
  readonly entries: readonly RubricEntry[];
}

/** A rubric file that cannot be used: the kit itself is broken, not the submission. */
export class RubricError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RubricError';
  }
}

function readRubricFile(file: string, stageId: string, hidden: boolean): RubricEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RubricError(`Cannot read the rubric ${file}: ${(error as Error).message}`);
  }
  const shape = parsed as { stage?: unknown; tests?: unknown };
  if (typeof shape !== 'object' || shape === null || shape.stage !== stageId || typeof shape.tests !== 'object' || shape.tests === null) {
    throw new RubricError(`The rubric ${file} must look like { "stage": "${stageId}", "tests": { "<test name>": points } }.`);
  }
  return Object.entries(shape.tests as Record<string, unknown>).map(([name, points]) => {
    if (typeof points !== 'number' || !Number.isInteger(points) || points <= 0) {
      throw new RubricError(`The rubric ${file} gives "${name}" ${JSON.stringify(points)} points; points must be positive integers.`);
    }
    return { name, points, hidden };
  });
}

/**
 * Loads a stage's rubric from `root` (a repository or a workspace). The hidden rubric is read
 * only when its file exists (the student edition has none).
 *
 * @throws RubricError when a file is missing, malformed, or names a test twice.
 */
export function loadRubric(root: string, stage: StageDefinition): Rubric {
  const publicFile = `${root}/${publicRubricPath(stage)}`;
  if (!fs.existsSync(publicFile)) throw new RubricError(`Stage ${stage.id} has no rubric at ${publicRubricPath(stage)}.`);
  const entries = readRubricFile(publicFile, stage.id, false);
  const hiddenFile = `${root}/${hiddenRubricPath(stage)}`;
  if (fs.existsSync(hiddenFile)) entries.push(...readRubricFile(hiddenFile, stage.id, true));
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) throw new RubricError(`The rubric of stage ${stage.id} names "${entry.name}" twice.`);
    seen.add(entry.name);
  }
  return { stage: stage.id, entries };
}

/** Total points of a rubric. */
export function maxScore(rubric: Rubric): number {
  return rubric.entries.reduce((sum, entry) => sum + entry.points, 0);
}
