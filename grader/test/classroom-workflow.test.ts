// Goal: the CI workflows work as GitHub runs them. The GitHub Classroom workflow that the student
// edition carries (.github/workflows/classroom.yml there) is valid YAML in the shape Actions
// reads; names only actions we know, and commands, npm scripts and options that exist in the
// edition; wires Classroom's reporter to the step that publishes the score; and its grading
// steps, run locally in an exported edition, grade the stages the instructor chose, write the
// JUnit report, the job summary and the Classroom payload, and fail under the instructor's
// threshold and only then. The doc-site workflow (instructor edition) passes the same static
// checks and is not shipped to students; `npm run docs:serve`'s server serves the site and
// nothing outside it.
// Method: export the student edition to a temporary folder and install it with the workflow's
// own install step (npm from its cache), copy the reference's stage 1 files in (stage 1 solved,
// 4A not), then run the workflow's `run:` steps with bash as Actions would: the job's env with
// the instructor's variables substituted, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files.
import execa from 'execa';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { ClassroomRunnerResult } from '../src/classroom-report';
import type { GradeReport } from '../src/grade';
import { kitPath } from '../src/repo-paths';
import { STAGES } from '../src/stages';
import { referenceTwin } from '../src/workspace';

jest.setTimeout(10 * 60_000);

interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

interface WorkflowJob {
  readonly name?: string;
  readonly 'runs-on': string;
  readonly env?: Record<string, string>;
  readonly steps: readonly WorkflowStep[];
}

interface Workflow {
  readonly name: string;
  readonly on: unknown;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, WorkflowJob>;
}

/** Actions the workflows may use, at the major versions we checked against their documentation. */
const KNOWN_ACTIONS = new Set([
  'actions/checkout@v4',
  'actions/setup-node@v4',
  'actions/upload-artifact@v4',
  'actions/upload-pages-artifact@v3',
  'actions/deploy-pages@v4',
  'classroom-resources/autograding-grading-reporter@v1',
]);

/** Shell utilities a `run:` block may use besides npm, npx and node. */
const SHELL_UTILITIES = new Set(['cd', 'ln', 'cp', 'mkdir', 'rm', 'echo']);

/** Parses a workflow strictly: a YAML error or warning fails the test with its text. */
function parseWorkflow(file: string): Workflow {
  const document = parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  expect({ file, errors: document.errors.map(String), warnings: document.warnings.map(String) }).toEqual({ file, errors: [], warnings: [] });
  return document.toJS() as Workflow;
}

/** Checks the shape GitHub Actions requires of a workflow and of each of its steps. */
function expectActionsShape(file: string, workflow: Workflow): void {
  expect({ file, name: typeof workflow.name, on: workflow.on !== undefined && workflow.on !== null, jobs: typeof workflow.jobs }).toEqual({ file, name: 'string', on: true, jobs: 'object' });
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    expect({ file, jobId, runsOn: job['runs-on'], steps: Array.isArray(job.steps) && job.steps.length > 0 }).toEqual({ file, jobId, runsOn: 'ubuntu-latest', steps: true });
    for (const step of job.steps) {
      // A step either uses an action or runs a script, never both or neither.
      expect({ file, step: step.name, usesXorRun: (step.uses === undefined) !== (step.run === undefined) }).toEqual({ file, step: step.name, usesXorRun: true });
      if (step.uses !== undefined) expect({ file, step: step.name, knownAction: KNOWN_ACTIONS.has(step.uses) ? step.uses : `unknown: ${step.uses}` }).toEqual({ file, step: step.name, knownAction: step.uses });
      // Expressions in a script are a script-injection risk: values reach scripts through env only.
      if (step.run !== undefined) expect({ file, step: step.name, expressionInScript: step.run.includes('${{') }).toEqual({ file, step: step.name, expressionInScript: false });
    }
  }
}

/** The simple commands of a `run:` block: lines split at `&&`, `;` and `|`, comments dropped. */
function commandsOf(script: string): string[][] {
  return script
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .flatMap((line) => line.split(/&&|;|\|/))
    .map((command) => command.trim())
    .filter((command) => command !== '')
    .map((command) => command.match(/"[^"]*"|'[^']*'|\S+/g) ?? []);
}

let edition: string;
let scratch: string;

function inEdition(command: string, args: readonly string[], options: execa.Options = {}) {
  return execa(command, args, { cwd: edition, reject: false, env: { NO_COLOR: '1', FORCE_COLOR: '0' }, ...options });
}

/** Which of a `tinykv` subcommand and its options the help of the kit at `root` does not list. */
async function tinykvKnows(root: string, subcommand: string, options: readonly string[]): Promise<{ subcommand: string; missing: string[] }> {
  const run = (args: string[]) => execa(process.execPath, ['bin/tinykv.js', ...args], { cwd: root, reject: false, env: { NO_COLOR: '1' } });
  const top = await run(['--help']);
  if (!new RegExp(`^\\s+${subcommand}\\b`, 'm').test(top.stdout)) return { subcommand, missing: [`the command itself (tinykv --help lists no ${subcommand})`] };
  const help = await run([subcommand, '--help']);
  return { subcommand, missing: options.filter((option) => !help.stdout.includes(option)) };
}

/** Every command of every `run:` step exists in the kit at `root`: npm scripts, tinykv commands and options, utilities. */
async function expectCommandsExist(file: string, workflow: Workflow, root: string): Promise<void> {
  const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const job of Object.values(workflow.jobs)) {
    for (const step of job.steps.filter((candidate) => candidate.run !== undefined)) {
      for (const [program, ...args] of commandsOf(step.run!)) {
        const where = { file, step: step.name, command: [program, ...args].join(' ') };
        if (program === 'npm') {
          const [verb, script] = args;
          expect({ ...where, verb }).toEqual({ ...where, verb: expect.stringMatching(/^(ci|run|test)$/) });
          if (verb === 'run') expect({ ...where, scriptExists: script in scripts }).toEqual({ ...where, scriptExists: true });
        } else if (program === 'npx' || program === 'node') {
          expect({ ...where, runs: args[0] }).toEqual({ ...where, runs: program === 'npx' ? 'tinykv' : 'bin/tinykv.js' });
          expect({ ...where, ...(await tinykvKnows(root, args[1], args.filter((arg) => arg.startsWith('--')))) }).toEqual({ ...where, subcommand: args[1], missing: [] });
        } else {
          expect({ ...where, utility: SHELL_UTILITIES.has(program) ? program : `unexpected: ${program}` }).toEqual({ ...where, utility: program });
        }
      }
    }
  }
}

/** Evaluates the job env's expressions: only `vars.NAME` and `vars.NAME || 'default'` are allowed. */
function jobEnv(job: WorkflowJob, vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(job.env ?? {}).map(([name, value]) => {
      const match = /^\$\{\{\s*vars\.([A-Z_]+)(?:\s*\|\|\s*'([^']*)')?\s*\}\}$/.exec(String(value));
      if (!match) throw new Error(`env ${name} uses an expression this test cannot evaluate: ${value}`);
      return [name, vars[match[1]] || (match[2] ?? '')];
    }),
  );
}

/** Runs one `run:` step with bash in the edition, as Actions would (bash -e), with the job's env. */
function runStep(step: WorkflowStep, env: Record<string, string>) {
  return inEdition('bash', ['-e', '-c', step.run!], { env: { NO_COLOR: '1', FORCE_COLOR: '0', ...env } });
}

function publicPoints(stageId: string): number {
  const rubric = JSON.parse(fs.readFileSync(path.join(edition, 'grader', 'rubric', `${stageId}.json`), 'utf8')) as { tests: Record<string, number> };
  return Object.values(rubric.tests).reduce((sum, points) => sum + points, 0);
}

let workflow: Workflow;
let job: WorkflowJob;
const step = (id: string) => job.steps.find((candidate) => candidate.id === id)!;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-classroom-'));
  // Left private, as mkdtemp makes it: as root, the grader must still get its runs' users to the
  // kit's runs and packages (sandbox-home.ts), as on a CI runner or in a container.
  edition = path.join(scratch, 'kit');
  const exported = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'export-student', edition], { reject: false });
  if (exported.exitCode !== 0) throw new Error(`export-student failed:\n${exported.stderr}`);
  workflow = parseWorkflow(path.join(edition, '.github/workflows/classroom.yml'));
  job = Object.values(workflow.jobs)[0];
  // The workflow's own install step (npm from its cache here), as a student's push runs it.
  const install = await runStep(step('install'), { npm_config_prefer_offline: 'true', ...jobEnv(job, {}) });
  if (install.exitCode !== 0) throw new Error(`the workflow's install step failed:\n${install.stderr}`);
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the GitHub Classroom workflow of the student edition', () => {
  test('is where GitHub Actions runs it in the edition, and only there', () => {
    expect(fs.existsSync(path.join(edition, '.github/student-workflows'))).toBe(false);
    expect(fs.readdirSync(path.join(edition, '.github/workflows'))).toEqual(['classroom.yml']);
    expect(fs.readFileSync(path.join(edition, '.github/workflows/classroom.yml'), 'utf8')).toBe(fs.readFileSync(kitPath('.github/student-workflows/classroom.yml'), 'utf8'));
  });

  test('is valid YAML in the shape of a GitHub Actions workflow, using only known actions', () => {
    expectActionsShape('classroom.yml', workflow);
    expect(Object.keys(workflow.jobs)).toHaveLength(1);
    // Node 20, as the kit's engines field asks; the lock file is what npm ci installs.
    const setupNode = job.steps.find((candidate) => candidate.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with).toEqual({ 'node-version': 20, cache: 'npm' });
    expect(fs.existsSync(path.join(edition, 'package-lock.json'))).toBe(true);
  });

  test('names only commands, npm scripts and tinykv options that exist in the edition', async () => {
    await expectCommandsExist('classroom.yml', workflow, edition);
    expect(step('install').run).toMatch(/^npm ci\b/);
    expect(step('grade').run).toMatch(/^npx tinykv grade\b.*--json grade\.json.*--junit junit\.xml/);
  });

  test("wires Classroom's reporter to the step that publishes the score", () => {
    // The reporter reads, for each runner id, the env var <ID>_RESULTS, and the check run named as the job.
    const reporter = job.steps.find((candidate) => candidate.uses?.startsWith('classroom-resources/autograding-grading-reporter@'))!;
    const runners = String(reporter.with?.runners).split(',').map((runner) => runner.trim());
    expect(runners).toEqual(['tinykv']);
    for (const runner of runners) {
      expect(reporter.env?.[`${runner.toUpperCase()}_RESULTS`]).toBe(`\${{ steps.${runner}.outputs.result }}`);
      expect(step(runner).run).toMatch(/^npx tinykv ci-report grade\.json\b/);
    }
    expect(job.name).toBe('Autograding Tests');
    expect(workflow.permissions).toEqual({ checks: 'write', actions: 'read', contents: 'read' });
  });

  describe('run locally in the exported edition (installed by its install step) with stage 1 solved, grading stages 1 and 4a', () => {
    let outputs: string;
    let summary: string;
    let base: Record<string, string>;
    const solvedPercent = () => (publicPoints('1') * 100) / (publicPoints('1') + publicPoints('4a'));

    beforeAll(async () => {
      outputs = path.join(scratch, 'github-output');
      summary = path.join(scratch, 'step-summary.md');
      const stage1 = STAGES.find((candidate) => candidate.id === '1')!;
      for (const file of stage1.editable) fs.copyFileSync(kitPath(referenceTwin(file)), path.join(edition, file));
      base = { GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: summary };
    });

    test('the grading step grades the chosen stages and writes the JSON and JUnit reports', async () => {
      const env = { ...base, ...jobEnv(job, { TINYKV_STAGES: '1 4a', TINYKV_FAIL_UNDER: '40' }) };
      const graded = await runStep(step('grade'), env);
      expect({ exitCode: graded.exitCode, stderr: graded.exitCode === 0 ? '' : graded.stderr }).toEqual({ exitCode: 0, stderr: '' });
      const report = JSON.parse(fs.readFileSync(path.join(edition, 'grade.json'), 'utf8')) as GradeReport;
      const brief = report.stages.map((stage) => `${stage.stage} ${stage.score}/${stage.max_score} ${stage.status}${stage.status === 'passed' || stage.status === 'failed' ? '' : `: ${stage.reason}`}`);
      expect(brief).toEqual([`1 ${publicPoints('1')}/${publicPoints('1')} passed`, `4a 0/${publicPoints('4a')} failed`]);
      const junit = fs.readFileSync(path.join(edition, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/^<\?xml [^\n]*\n<testsuites [^>]*tests="\d+"/);
      expect((junit.match(/<testcase /g) ?? []).length).toBe(report.stages.reduce((sum, stage) => sum + stage.tests.length, 0));
    });

    test("the publishing step writes the job summary and Classroom's payload, and passes at the threshold", async () => {
      const threshold = Math.floor(solvedPercent());
      const published = await runStep(step('tinykv'), { ...base, ...jobEnv(job, { TINYKV_FAIL_UNDER: String(threshold) }) });
      expect({ exitCode: published.exitCode, stderr: published.exitCode === 0 ? '' : published.stderr }).toEqual({ exitCode: 0, stderr: '' });
      const markdown = fs.readFileSync(summary, 'utf8');
      expect(markdown).toContain(`## tinykv: ${publicPoints('1')}/${publicPoints('1') + publicPoints('4a')}`);
      expect(markdown).toMatch(/\| 4a \| [^|]+ \| 0\/\d+ \| failed \|/);
      expect(markdown).toContain(`Meets the threshold of ${threshold}%.`);
      const line = fs.readFileSync(outputs, 'utf8').trim().split('\n').find((candidate) => candidate.startsWith('result='))!;
      const payload = JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8')) as ClassroomRunnerResult;
      // What the reporter sums: the tests' scores against max_score.
      expect(payload.status).toBe('pass');
      expect(payload.max_score).toBe(publicPoints('1') + publicPoints('4a'));
      expect(payload.tests.map((test) => [test.status, test.score])).toEqual([['pass', publicPoints('1')], ['fail', 0]]);
    });

    test('the publishing step fails the run just above the score, and the payload says fail', async () => {
      fs.writeFileSync(outputs, '');
      const threshold = Math.floor(solvedPercent()) + 1;
      const published = await runStep(step('tinykv'), { ...base, ...jobEnv(job, { TINYKV_FAIL_UNDER: String(threshold) }) });
      expect(published.exitCode).toBe(1);
      expect(fs.readFileSync(summary, 'utf8')).toContain(`**Below the threshold of ${threshold}%**`);
      const line = fs.readFileSync(outputs, 'utf8').trim();
      expect((JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8')) as ClassroomRunnerResult).status).toBe('fail');
    });

    test('with no variables set it grades every stage and never fails', () => {
      expect(jobEnv(job, {})).toEqual({ TINYKV_STAGES: '', TINYKV_FAIL_UNDER: '0' });
    });
  });
});

describe('the doc site workflow of the instructor edition', () => {
  let docs: Workflow;

  beforeAll(() => {
    docs = parseWorkflow(kitPath('.github/workflows/docs.yml'));
  });

  test('is valid, uses known actions, names only existing commands, and may publish to Pages', async () => {
    expectActionsShape('docs.yml', docs);
    // Its commands run in the instructor edition (export-student is one of them).
    await expectCommandsExist('docs.yml', docs, kitPath('.'));
    expect(docs.permissions).toEqual({ contents: 'read', pages: 'write', 'id-token': 'write' });
    const build = docs.jobs.build.steps.map((candidate) => candidate.run ?? '').join('\n');
    expect(build).toContain('export-student');
    expect(docs.jobs.build.steps.find((candidate) => candidate.uses?.startsWith('actions/upload-pages-artifact@'))?.with).toEqual({ path: 'docs-site' });
  });

  test('is not shipped to students, who have no site to publish', () => {
    expect(fs.existsSync(path.join(edition, '.github/workflows/docs.yml'))).toBe(false);
  });
});

describe('npm run docs:serve', () => {
  test('builds the site, then serves it on the loopback interface and nothing outside it', async () => {
    const scripts = (JSON.parse(fs.readFileSync(kitPath('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['docs:serve']).toBe('typedoc && node bin/serve-docs.js docs-site');
    const site = path.join(scratch, 'site');
    fs.mkdirSync(path.join(site, 'modules'), { recursive: true });
    fs.writeFileSync(path.join(site, 'index.html'), '<h1>tinykv</h1>');
    fs.writeFileSync(path.join(site, 'modules', 'raft.html'), '<h1>raft</h1>');
    fs.writeFileSync(path.join(scratch, 'secret.txt'), 'not for the web');
    fs.symlinkSync(path.join(scratch, 'secret.txt'), path.join(site, 'link.txt'));
    const server = execa(process.execPath, [kitPath('bin/serve-docs.js'), site, '--port', '0'], { reject: false });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let seen = '';
        server.stdout!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /http:\/\/(127\.0\.0\.1:\d+)\//.exec(seen);
          if (match) resolve(match[1]);
        });
        server.on('exit', () => reject(new Error(`serve-docs exited: ${seen}`)));
      });
      const get = (requestPath: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const [host, port] = address.split(':');
          http.get({ host, port: Number(port), path: requestPath }, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          }).on('error', reject);
        });
      expect(await get('/')).toEqual({ status: 200, body: '<h1>tinykv</h1>' });
      expect(await get('/modules/raft.html')).toEqual({ status: 200, body: '<h1>raft</h1>' });
      for (const outside of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/link.txt', '/missing.html']) {
        expect({ outside, status: (await get(outside)).status }).toEqual({ outside, status: 404 });
      }
    } finally {
      server.kill('SIGTERM');
      await server;
    }
  });
});
