/**
 * The commands for grading at scale, added to the `tinykv` program by cli.ts:
 *
 * - `grade-all DIR --out REPORTS` grades a folder of submissions on this machine (grade-all.ts);
 * - `gradescope-package OUT` writes Gradescope's autograder zip (gradescope-package.ts), and
 *   `gradescope-run` is what that zip's `run_autograder` runs (gradescope-run.ts);
 * - `ci-report grade.json` publishes a grade in GitHub Actions / Classroom (classroom-report.ts).
 *
 * Their modules are required when a command runs, as in cli.ts, so start-up stays instant.
 *
 * @module
 */
import { Option, type Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import pc from 'picocolors';
import type { GradescopeVisibility } from './report-formats';
import { selectStages } from './stage-selection';
import { UsageError } from './usage-error';

/** The argument parsers cli.ts defines, shared so that every command validates alike. */
export interface ArgumentParsers {
  positiveInteger(name: string): (text: string) => number;
  percentage(text: string): number;
}

const VISIBILITIES = ['hidden', 'after_due_date', 'after_published', 'visible'];

function visibilityOption(hidden: boolean): Option {
  return new Option('--hidden-visibility <when>', 'Gradescope visibility of hidden tests').choices(VISIBILITIES).default('after_due_date').hideHelp(hidden);
}

function hasHiddenTests(): boolean {
  const { kitPath } = require('./repo-paths') as typeof import('./repo-paths');
  return fs.existsSync(kitPath('grader/hidden'));
}

/** Adds grade-all, gradescope-package, gradescope-run and ci-report to `program`. */
export function addScaleCommands(program: Command, studentEdition: boolean, setExitCode: (code: number) => void, parsers: ArgumentParsers): void {
  program
    .command('grade-all', { hidden: studentEdition })
    .description('grade every submission folder under DIR (one per student): reports per student, a CSV and JSON summary; rerun to resume')
    .argument('<dir>', 'a folder with one submission folder per student')
    .argument('[stages...]', 'stage ids or groups (default: every stage)')
    .requiredOption('--out <dir>', 'where to write the reports and summary.csv / summary.json')
    .option('--parallel <n>', 'submissions graded at once (default: half the cores, at least 1)', parsers.positiveInteger('--parallel'))
    .option('--time-limit <seconds>', "cap every stage's time limit", parsers.positiveInteger('--time-limit'))
    .option('--submission-timeout <seconds>', "kill a submission's grader after this long (default: its stages' limits plus 5 minutes)", parsers.positiveInteger('--submission-timeout'))
    .addOption(visibilityOption(false))
    .option('--fresh', 'regrade every student, even those already graded', false)
    .action(async (dir: string, selectors: string[], options: { out: string; parallel?: number; timeLimit?: number; submissionTimeout?: number; hiddenVisibility: GradescopeVisibility; fresh: boolean }) => {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder of submissions.`);
      const stages = selectStages(selectors);
      const { gradeAll, SUMMARY_CSV, SUMMARY_JSON } = require('./grade-all') as typeof import('./grade-all');
      const { createGradeAllProgress } = require('./grade-all-progress') as typeof import('./grade-all-progress');
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let result: Awaited<ReturnType<typeof gradeAll>>;
      try {
        result = await gradeAll({
          submissionsDir: dir,
          outDir: options.out,
          stages,
          parallel: options.parallel ?? Math.max(1, Math.floor(os.cpus().length / 2)),
          timeLimitSeconds: options.timeLimit,
          submissionTimeoutSeconds: options.submissionTimeout,
          hiddenVisibility: options.hiddenVisibility,
          fresh: options.fresh,
          signal: stop.signal,
          onEvent: createGradeAllProgress(),
        });
      } catch (error) {
        if ((error as Error).message.startsWith('Another grade-all')) throw new UsageError((error as Error).message);
        throw error;
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      const problems = result.outcomes.filter((outcome) => outcome.status !== 'graded');
      console.log(`Graded ${result.gradedNow.length}, skipped ${result.skipped.length} already graded; summary: ${options.out}/${SUMMARY_CSV} and ${SUMMARY_JSON}.`);
      if (problems.length > 0) console.log(pc.yellow(`${problems.length} submission(s) could not be graded to the end: ${problems.map((outcome) => `${outcome.student} (${outcome.status})`).join(', ')}.`));
      if (result.interrupted) {
        console.log(`Stopped with ${result.pending.length} submission(s) left; run the same command again to finish them.`);
        setExitCode(130);
      }
    });

  program
    .command('gradescope-package', { hidden: studentEdition })
    .description("write Gradescope's autograder zip: setup.sh, run_autograder and the kit with its hidden tests (never the solutions)")
    .argument('<out>', 'the zip to write, e.g. autograder.zip')
    .argument('[stages...]', 'stage ids or groups the autograder grades (default: every stage)')
    .addOption(visibilityOption(false))
    .option('--time-limit <seconds>', "cap every stage's time limit", parsers.positiveInteger('--time-limit'))
    .option('--parallel <n>', 'stage processes at once in the container (default: its core count)', parsers.positiveInteger('--parallel'))
    .option('--node-version <version>', 'the Node.js release setup.sh installs when the image has none that fits', process.version)
    .action(async (out: string, selectors: string[], options: { hiddenVisibility: GradescopeVisibility; timeLimit?: number; parallel?: number; nodeVersion: string }) => {
      if (studentEdition || !hasHiddenTests()) throw new UsageError('The Gradescope package carries the hidden tests: build it in the instructor edition.');
      if (!/^v(20|21|22)\.\d+\.\d+$/.test(options.nodeVersion)) throw new UsageError(`--node-version must be a Node.js release from 20 to 22, such as v20.19.0 (got ${options.nodeVersion}).`);
      const stages = selectStages(selectors);
      const { writeGradescopePackage } = require('./gradescope-package') as typeof import('./gradescope-package');
      const written = writeGradescopePackage(out, { stages, hiddenVisibility: options.hiddenVisibility, timeLimitSeconds: options.timeLimit, parallel: options.parallel, nodeVersion: options.nodeVersion });
      console.log(`Wrote ${written.file} (${written.entries.length} files, ${(written.bytes / 1024).toFixed(0)} KiB) grading stage(s) ${stages.map((stage) => stage.id).join(', ')}.`);
      console.log('Upload it in Gradescope: Configure Autograder → Zip file upload. Steps: docs/gradescope.md.');
    });

  program
    .command('gradescope-run', { hidden: true })
    .description("grade Gradescope's submission folder into results/results.json (what run_autograder runs)")
    .requiredOption('--root <dir>', "Gradescope's autograder folder", '/autograder')
    .action(async (options: { root: string }) => {
      const { runAutograder } = require('./gradescope-run') as typeof import('./gradescope-run');
      await runAutograder(options.root);
    });

  program
    .command('ci-report')
    .description('publish a grade in CI: the GitHub Actions job summary, the points for GitHub Classroom, exit 1 under --fail-under')
    .argument('<report>', 'a report written by tinykv grade --json')
    .option('--fail-under <percent>', 'exit 1 when the total is below this percentage', parsers.percentage)
    .action((reportFile: string, options: { failUnder?: number }) => {
      const { publishCiReport, readGradeReport } = require('./classroom-report') as typeof import('./classroom-report');
      let report: ReturnType<typeof readGradeReport>;
      try {
        report = readGradeReport(reportFile);
      } catch (error) {
        throw new UsageError(`Cannot read the report ${reportFile}: ${(error as Error).message}`);
      }
      const { summary, passed } = publishCiReport(report, options.failUnder, { summaryFile: process.env.GITHUB_STEP_SUMMARY || undefined, outputFile: process.env.GITHUB_OUTPUT || undefined });
      console.log(summary);
      if (!passed) setExitCode(1);
    });
}
