/**
 * Turns what a user typed (`1`, `2a`, `2AB`, `4`) into registry stages.
 *
 * A stage id selects that stage; a prefix of ids that is not itself an id selects every stage
 * it prefixes, in curriculum order (`2a` → 2aa, 2ab, 2ac; `4` → 4a, 4b, 4c).
 *
 * @module
 */
import { STAGES, type StageDefinition } from './stages';
import { UsageError } from './usage-error';

/** The stage with exactly this id, or an error listing the valid ids. */
export function stageById(id: string, stages: readonly StageDefinition[] = STAGES): StageDefinition {
  const stage = stages.find((candidate) => candidate.id === id.toLowerCase());
  if (!stage) {
    throw new UsageError(`Unknown stage "${id}". Known stages: ${stages.map((s) => s.id).join(', ')}.`);
  }
  return stage;
}

/**
 * The stages named by `selectors`, without duplicates, in curriculum order. No selectors
 * means every stage.
 *
 * @throws UsageError when a selector names no stage.
 */
export function selectStages(selectors: readonly string[], stages: readonly StageDefinition[] = STAGES): StageDefinition[] {
  if (selectors.length === 0) return [...stages];
  const chosen = new Set<string>();
  for (const raw of selectors) {
    const selector = raw.trim().toLowerCase();
    const exact = stages.find((stage) => stage.id === selector);
    const matches = exact ? [exact] : stages.filter((stage) => selector !== '' && stage.id.startsWith(selector));
    if (matches.length === 0) {
      throw new UsageError(`Unknown stage "${raw}". Known stages: ${stages.map((s) => s.id).join(', ')} (a prefix such as "2a" selects a group).`);
    }
    for (const stage of matches) chosen.add(stage.id);
  }
  return stages.filter((stage) => chosen.has(stage.id));
}

/** The stage and every stage it builds on, transitively, in curriculum order. */
export function withPrerequisites(stage: StageDefinition, stages: readonly StageDefinition[] = STAGES): StageDefinition[] {
  const needed = new Set<string>();
  const pending = [stage.id];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    pending.push(...stageById(id, stages).buildsOn);
  }
  return stages.filter((candidate) => needed.has(candidate.id));
}

/** The lab folders (`labs/2a-raft`) a stage's code and tests live in. */
export function labFoldersOf(stage: StageDefinition): string[] {
  const folders = new Set<string>();
  for (const file of [...stage.tests, ...stage.editable]) {
    const [top, lab] = file.split('/');
    if (top === 'labs' && lab) folders.add(`labs/${lab}`);
  }
  return [...folders];
}
