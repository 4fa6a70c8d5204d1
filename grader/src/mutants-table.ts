/**
 * The bug catalog's results as a person reads them: one row per mutant, and per stage how many
 * of its bugs the public tests alone catch.
 *
 * @module
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { MutantResult } from './mutants';

/** The table of mutants and the summary line. */
export function formatCatalog(results: readonly MutantResult[]): string {
  if (results.length === 0) return 'No mutants: the selected stages have no catalog under grader/mutants/.';
  const table = new Table({ head: ['stage', 'bug', 'caught', 'by public tests', 'first failing test'], style: { head: [], border: [] }, wordWrap: true, colWidths: [7, 40, 10, 10, 60] });
  for (const result of results) {
    table.push([
      result.stage,
      `${result.id}\n${pc.dim(result.bug)}`,
      result.caught ? pc.green('caught') : pc.red(pc.bold('SURVIVED')),
      result.caught_by_public ? 'yes' : result.caught ? pc.yellow('hidden only') : '',
      result.failing_tests[0] ?? '',
    ]);
  }
  const caught = results.filter((result) => result.caught).length;
  const publicly = results.filter((result) => result.caught_by_public).length;
  const summary = `${caught}/${results.length} bugs caught (${publicly} by the public tests alone).`;
  return `${table.toString()}\n${caught === results.length ? pc.green(summary) : pc.red(summary)}`;
}
