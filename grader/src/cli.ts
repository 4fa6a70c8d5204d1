/**
 * The `tinykv` command line. Exit codes: 0 done (for `grade`, whatever the score, unless
 * `--fail-under`), 1 tests failed (`test`) or score under `--fail-under`, 2 usage error.
 *
 * @module
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pc from 'picocolors';
import { isStudentEdition, REFERENCE_NOT_SHIPPED } from './edition';
import type { GradeReport } from './grade';
import { addScaleCommands } from './grade-all-commands';
import type { GradescopeVisibility } from './report-formats';
import { kitPath, KIT_ROOT } from './repo-paths';
import { loadRubric } from './rubric';
import { selectStages, stageById } from './stage-selection';
import { STAGES } from './stages';
import { UsageError } from './usage-error';
import type { Implementation } from './workspace';

// The commands' own modules (grading, jest, the watcher, the trace page…) are required when a
// command runs, not at start-up, so that `tinykv --help` and `tinykv stages` stay instant.

function positiveInteger(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1.`);
    return value;
  };
}

function nonNegativeInteger(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${name} must be a whole number of at least 0.`);
    return value;
  };
}

function percentage(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 100) throw new InvalidArgumentError('--fail-under must be a percentage from 0 to 100.');
  return value;
}

/** `--impl`: an instructor's option, hidden from the student edition's help. */
function implOption(studentEdition: boolean): Option {
  return new Option('--impl <impl>', 'whose code to run: labs (yours) or reference (the solutions)').choices(['labs', 'reference']).default('labs').hideHelp(studentEdition);
}

/** `--reference <stages>`: an instructor's option, hidden from the student edition's help. */
function referenceOption(studentEdition: boolean, description: string): Option {
  return new Option('--reference <stages>', description).hideHelp(studentEdition);
}

/**
 * The stages `--reference` names, or a one-line usage error in the student edition, which has
 * no reference to take them from (nor for `--impl reference`).
 */
function referenceStagesOf(options: { impl?: Implementation; reference?: string }, studentEdition: boolean) {
  if (studentEdition && (options.impl === 'reference' || options.reference !== undefined)) throw new UsageError(REFERENCE_NOT_SHIPPED);
  return options.reference ? selectStages(options.reference.split(',')) : [];
}

/** Escapes a literal test name into an anchored jest name pattern. */
export function exactNamePattern(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

interface GradeCliOptions {
  impl: Implementation;
  reference?: string;
  seeds?: number;
  submission?: string;
  json?: string;
  junit?: string;
  gradescope?: string;
  hiddenVisibility: GradescopeVisibility;
  keepWorkspace: boolean;
  failUnder?: number;
  parallel?: number;
  timeLimit?: number;
}

function isFolder(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

async function writeReports(report: GradeReport, options: GradeCliOptions, setExitCode: (code: number) => void): Promise<void> {
  const { writeFileAtomically } = require('./atomic-write') as typeof import('./atomic-write');
  const { toGradescopeResults, toJUnitXml } = require('./report-formats') as typeof import('./report-formats');
  const outputs: [string | undefined, () => string][] = [
    [options.json, () => `${JSON.stringify(report, null, 2)}\n`],
    [options.junit, () => toJUnitXml(report)],
    [options.gradescope, () => `${JSON.stringify(toGradescopeResults(report, options.hiddenVisibility), null, 2)}\n`],
  ];
  for (const [file, render] of outputs) {
    if (file === undefined) continue;
    try {
      writeFileAtomically(file, render());
    } catch (error) {
      console.error(pc.red(`Could not write ${file}: ${(error as Error).message}`));
      setExitCode(1);
    }
  }
}

function buildProgram(setExitCode: (code: number) => void): Command {
  // The student edition's help shows only what works there (see edition.ts).
  const studentEdition = isStudentEdition();
  const program = new Command('tinykv')
    .description('Grade and test the tinykv-ts labs. Read README.md to start.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('grade')
    .description(studentEdition ? 'grade stages (all by default): public tests, points from the rubric, a score table' : 'grade stages (all by default): public and hidden tests, points from the rubric, a score table')
    .argument('[stages...]', 'stage ids or groups, e.g. 1 2aa 2a 4')
    .addOption(implOption(studentEdition))
    .addOption(referenceOption(studentEdition, 'take these stages (comma-separated, e.g. 2a) from the reference, so later stages can be graded on a working base'))
    .option('--seeds <n>', 'every seeded test must pass under seeds 1..n', positiveInteger('--seeds'))
    .addOption(new Option('--submission <dir>', "grade a student's submission: only its editable files are used, everything else comes from this kit").hideHelp(studentEdition))
    .option('--json <file>', 'also write the results as JSON (atomically)')
    .option('--junit <file>', 'also write JUnit XML (CI systems, GitHub Classroom)')
    .option('--gradescope <file>', "also write Gradescope's results.json")
    .addOption(new Option('--hidden-visibility <when>', 'Gradescope visibility of hidden tests').choices(['hidden', 'after_due_date', 'after_published', 'visible']).default('after_due_date').hideHelp(studentEdition))
    .addOption(new Option('--keep-workspace', "keep a submission's workspace under .tinykv/work after grading").default(false).hideHelp(studentEdition))
    .option('--fail-under <percent>', 'exit 1 when the total is below this percentage', percentage)
    .option('--parallel <n>', 'stage processes to run at once (default: the core count)', positiveInteger('--parallel'))
    .option('--time-limit <seconds>', "cap every stage's time limit (the registry's limits apply otherwise)", positiveInteger('--time-limit'))
    .action(async (selectors: string[], options: GradeCliOptions) => {
      const stages = selectStages(selectors);
      const referenceStages = referenceStagesOf(options, studentEdition);
      if (options.submission !== undefined && options.impl !== 'labs') throw new UsageError('--submission grades the submitted files on top of the stubs; it cannot be combined with --impl reference.');
      if (options.submission !== undefined && !isFolder(options.submission)) throw new UsageError(`The submission ${options.submission} is not a folder.`);
      const { failedGrade, grade } = require('./grade') as typeof import('./grade');
      const { createProgressDisplay } = require('./progress-display') as typeof import('./progress-display');
      const { formatReport } = require('./report-table') as typeof import('./report-table');
      const gradeOptions = {
        stages,
        impl: options.impl,
        referenceStages,
        seeds: options.seeds,
        parallelism: options.parallel,
        submissionDir: options.submission,
        keepWorkspace: options.keepWorkspace,
        timeLimitSeconds: options.timeLimit,
        onEvent: createProgressDisplay(),
      };
      // A grade always leaves a valid report: if grading itself fails, the report says why.
      const report = await grade(gradeOptions).catch((error: unknown) => {
        setExitCode(1);
        return failedGrade(gradeOptions, error);
      });
      // Every report is written before anything can fail on the terminal side, each atomically.
      await writeReports(report, options, setExitCode);
      console.log(formatReport(report));
      const problems = report.stages.flatMap((stage) => stage.kitProblems);
      if (problems.length > 0) console.error(pc.magenta(`The kit itself has ${problems.length} problem(s) (listed above): tell your instructor.`));
      const percent = report.max_score === 0 ? 0 : (report.score * 100) / report.max_score;
      if (options.failUnder !== undefined && percent < options.failUnder) {
        console.error(`Score ${percent.toFixed(1)}% is below --fail-under ${options.failUnder}%.`);
        setExitCode(1);
      }
    });

  program
    .command('test')
    .description("run a stage's public tests on your code, with jest's output (what `make project1` runs)")
    .argument('<stages...>', 'stage ids or groups, e.g. 1 2aa 2a')
    .addOption(implOption(studentEdition))
    .addOption(referenceOption(studentEdition, 'take these stages (comma-separated) from the reference'))
    .option('-t, --test-name-pattern <regex>', 'only tests whose full name matches this regular expression')
    .option('--test <name>', 'only the test with exactly this full name')
    .option('--seed <n>', 'run seeded tests under exactly this seed (to replay a failure)', nonNegativeInteger('--seed'))
    .option('--seeds <n>', 'run seeded tests under seeds 1..n', positiveInteger('--seeds'))
    .addOption(new Option('--hidden', 'include the hidden tests (instructor edition)').default(false).hideHelp(studentEdition))
    .option('--no-typecheck', 'skip the type-check that runs alongside the tests')
    .addOption(new Option('--rewrite', 'regenerate the expected traces of protocol scripts (3A) from what the code does, for review with git diff').default(false).hideHelp(studentEdition))
    .action(async (selectors: string[], options: { impl: Implementation; reference?: string; testNamePattern?: string; test?: string; seed?: number; seeds?: number; hidden: boolean; typecheck: boolean; rewrite: boolean }) => {
      if (options.testNamePattern !== undefined && options.test !== undefined) throw new UsageError('Use either --test or --test-name-pattern, not both.');
      if (options.seed !== undefined && options.seeds !== undefined) throw new UsageError('Use either --seed (one seed) or --seeds (seeds 1..n), not both.');
      const referenceStages = referenceStagesOf(options, studentEdition);
      const { runTestCommand } = require('./test-command') as typeof import('./test-command');
      const code = await runTestCommand({
        stages: selectStages(selectors),
        impl: options.impl,
        referenceStages,
        testNamePattern: options.test !== undefined ? exactNamePattern(options.test) : options.testNamePattern,
        onlyNamedTests: options.test !== undefined || options.testNamePattern !== undefined,
        seed: options.seed,
        seeds: options.seeds,
        hidden: options.hidden,
        typecheck: options.typecheck,
        // The tests may run in a workspace copy (--impl reference): rewritten scripts go back to the kit.
        ...(options.rewrite ? { env: { TINYKV_REWRITE_SCRIPTS: '1', TINYKV_REWRITE_ROOT: KIT_ROOT } } : {}),
      });
      setExitCode(code);
    });

  program
    .command('replay')
    .description('rerun one test under one seed (the command a failing seeded test prints); --trace also writes its timeline')
    .argument('<stage>', 'the stage id, e.g. 2b')
    .argument('<test>', "the test's full name, as the failure printed it")
    .requiredOption('--seed <n>', 'the seed to replay', nonNegativeInteger('--seed'))
    .option('--trace <file>', "write the simulation's trace (JSON lines) to FILE and its timeline page to FILE.html")
    .addOption(implOption(studentEdition))
    .addOption(referenceOption(studentEdition, 'take these stages (comma-separated) from the reference'))
    .action(async (stageId: string, testName: string, options: { seed: number; trace?: string; impl: Implementation; reference?: string }) => {
      const stage = stageById(stageId);
      const referenceStages = referenceStagesOf(options, studentEdition);
      const known = loadRubric(KIT_ROOT, stage).entries.map((entry) => entry.name);
      if (!known.includes(testName)) {
        const close = known.filter((name) => name.toLowerCase().includes(testName.toLowerCase())).slice(0, 5);
        throw new UsageError(`Stage ${stage.id} has no test named "${testName}".${close.length > 0 ? ` Did you mean: ${close.map((name) => `"${name}"`).join(', ')}?` : ''}`);
      }
      const traceFile = options.trace !== undefined ? path.resolve(options.trace) : undefined;
      if (traceFile) {
        fs.mkdirSync(path.dirname(traceFile), { recursive: true });
        fs.rmSync(traceFile, { force: true });
      }
      const { runTestCommand } = require('./test-command') as typeof import('./test-command');
      const code = await runTestCommand({
        stages: [stage],
        impl: options.impl,
        referenceStages,
        testNamePattern: exactNamePattern(testName),
        onlyNamedTests: true,
        seed: options.seed,
        hidden: true,
        typecheck: false,
        env: traceFile ? { TINYKV_TRACE_FILE: traceFile } : {},
      });
      if (traceFile) {
        if (fs.existsSync(traceFile) && fs.statSync(traceFile).size > 0) {
          const { writeTracePage } = require('./trace-page') as typeof import('./trace-page');
          const page = `${traceFile}.html`;
          writeTracePage(traceFile, page, { title: `${testName} — seed ${options.seed}` });
          console.log(`Trace: ${traceFile}\nTimeline: ${page} (open it in a browser)`);
        } else {
          console.error(`This test recorded no trace: only tests that run on the simulator (stage 2B and later) do.`);
        }
      }
      setExitCode(code);
    });

  program
    .command('watch')
    .description("rerun a stage's public tests whenever a file under labs/ changes, showing what changed")
    .argument('<stages...>', 'stage ids or groups, e.g. 2aa')
    .action(async (selectors: string[]) => {
      const stages = selectStages(selectors);
      const { runWatchCommand } = require('./watch-command') as typeof import('./watch-command');
      await runWatchCommand(stages);
    });

  program
    .command('export-student', { hidden: studentEdition })
    .description('write the student edition (no solutions, hidden tests or instructor notes) into a new folder')
    .argument('<dir>', 'a folder that does not exist yet (or is empty), outside the kit')
    .action(async (dir: string) => {
      if (studentEdition) throw new UsageError('This is already the student edition: there is nothing to strip.');
      const { exportStudentEdition } = require('./student-edition') as typeof import('./student-edition');
      let count: number;
      try {
        count = exportStudentEdition(dir);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      console.log(`Wrote the student edition (${count} files) to ${dir}. Students start with: cd ${dir} && npm ci && npx tinykv grade`);
    });

  program
    .command('mutants', { hidden: studentEdition })
    .description('run the bug catalog (grader/mutants): each real student bug must make its stage fail')
    .argument('[stages...]', 'stage ids or groups (default: every stage with a catalog)')
    .option('--json <file>', 'also write the results as JSON (atomically)')
    .option('--seeds <n>', 'run seeded tests under seeds 1..n', positiveInteger('--seeds'))
    .option('--parallel <n>', 'mutants to run at once (default: the core count)', positiveInteger('--parallel'))
    .option('--full', "run every mutant's whole stage, not first the one test known to fail on it (grader/mutants/kill-hints.json)", false)
    .option('--write-hints', 'rewrite grader/mutants/kill-hints.json from this run (with --full, over every stage)', false)
    .action(async (selectors: string[], options: { json?: string; seeds?: number; parallel?: number; full: boolean; writeHints: boolean }) => {
      if (studentEdition || !fs.existsSync(kitPath('grader/mutants'))) throw new UsageError('The bug catalog needs the reference solutions: run it in the instructor edition.');
      const stages = selectStages(selectors);
      const { KILL_HINTS_FILE, MutantCatalogError, killHintsFile, loadKillHints, runCatalog } = require('./mutants') as typeof import('./mutants');
      if (options.writeHints && (!options.full || selectors.length > 0)) throw new UsageError('--write-hints needs --full and every stage, so that each hint comes from a whole-stage run.');
      const { formatCatalog } = require('./mutants-table') as typeof import('./mutants-table');
      const { writeFileAtomically } = require('./atomic-write') as typeof import('./atomic-write');
      let catalog: Awaited<ReturnType<typeof runCatalog>>;
      try {
        catalog = await runCatalog(stages, options.parallel ?? os.cpus().length, options.seeds, (result) =>
          console.error(pc.dim(`${result.stage} ${result.id}: ${result.caught ? 'caught' : 'SURVIVED'} by ${result.checked_by} (${(result.wall_ms / 1000).toFixed(1)} s)`)),
          options.full ? new Map() : loadKillHints(),
        );
      } catch (error) {
        if (error instanceof MutantCatalogError) {
          console.error(pc.magenta(`kit problem: ${error.message}`));
          setExitCode(1);
          return;
        }
        throw error;
      }
      if (options.json) writeFileAtomically(options.json, `${JSON.stringify({ mutants: catalog }, null, 2)}\n`);
      if (options.writeHints) writeFileAtomically(kitPath(KILL_HINTS_FILE), killHintsFile(catalog));
      console.log(formatCatalog(catalog));
      if (catalog.some((result) => !result.caught)) setExitCode(1);
    });

  addScaleCommands(program, studentEdition, setExitCode, { positiveInteger, percentage });

  program
    .command('stages')
    .description('list the stages: id, title, handout')
    .action(() => {
      for (const stage of STAGES) console.log(`${stage.id.padEnd(4)} ${stage.title.padEnd(48)} ${stage.handout}`);
    });

  return program;
}

/** Runs the CLI with `argv` (without node and script) and exits with the right code. */
export async function main(argv: readonly string[]): Promise<void> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help).
      exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      exitCode = 2;
    } else {
      console.error(pc.red(`tinykv failed: ${(error as Error).stack ?? String(error)}`));
      exitCode = 1;
    }
  }
  process.exitCode = exitCode;
}
