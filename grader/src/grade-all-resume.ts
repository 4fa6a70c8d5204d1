/**
 * Resuming a batch: a student is done when their folder of reports holds an outcome whose
 * fingerprint matches what would be graded now. The fingerprint covers the submission's
 * editable files (what the grader takes from it), the stages and settings, and the graded
 * stages' tests and rubrics, so a student who resubmits, or a fixed test, is graded again and
 * nothing else is.
 *
 * The outcome file is written last, atomically, after every report: an interrupted grade
 * leaves no outcome and is redone.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically } from './atomic-write';
import type { StudentOutcome } from './grade-all-summary';
import { stageTestFiles } from './grade';
import { hiddenRubricPath, publicRubricPath, type StageDefinition } from './stages';
import { editableManifest } from './submission';

/** The outcome file in a student's folder of reports. */
export const OUTCOME_FILE = 'outcome.json';

/** Settings that change a grade: a run with other settings regrades. */
export interface GradingSettings {
  readonly stages: readonly StageDefinition[];
  readonly timeLimitSeconds?: number;
  readonly hiddenVisibility: string;
}

function hashFile(hash: crypto.Hash, label: string, file: string): void {
  hash.update(`${label}\0`);
  try {
    const stat = fs.lstatSync(file);
    hash.update(stat.isFile() ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : `not a regular file (${stat.mode})`);
  } catch {
    hash.update('absent');
  }
  hash.update('\0');
}

/** A digest of the kit's side of a grade: settings, and the graded stages' tests and rubrics. */
export function settingsFingerprint(settings: GradingSettings, kitRoot: string): string {
  const hash = crypto.createHash('sha256');
  hash.update(JSON.stringify({ stages: settings.stages.map((stage) => stage.id), timeLimitSeconds: settings.timeLimitSeconds ?? null, hiddenVisibility: settings.hiddenVisibility }));
  for (const stage of settings.stages) {
    for (const file of [...stageTestFiles(stage, kitRoot), publicRubricPath(stage), hiddenRubricPath(stage)]) hashFile(hash, file, path.join(kitRoot, ...file.split('/')));
  }
  return hash.digest('hex');
}

/** A digest of one submission as the grader sees it (its editable files) under given settings. */
export function submissionFingerprint(submissionDir: string, allStages: readonly StageDefinition[], settingsDigest: string): string {
  const hash = crypto.createHash('sha256').update(settingsDigest);
  for (const file of editableManifest(allStages)) hashFile(hash, file, path.join(submissionDir, ...file.split('/')));
  return hash.digest('hex');
}

/** The outcome recorded in a student's folder, if it is there and readable. */
export function readOutcome(studentOut: string): StudentOutcome | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(studentOut, OUTCOME_FILE), 'utf8')) as StudentOutcome;
    return typeof parsed.fingerprint === 'string' && typeof parsed.student === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Records a student as done: the last file written for them. */
export function writeOutcome(studentOut: string, outcome: StudentOutcome): void {
  writeFileAtomically(path.join(studentOut, OUTCOME_FILE), `${JSON.stringify(outcome, null, 2)}\n`);
}

/** Forgets a student's outcome before they are graded again, so an interruption cannot leave a stale one. */
export function clearOutcome(studentOut: string): void {
  fs.rmSync(path.join(studentOut, OUTCOME_FILE), { force: true });
}
