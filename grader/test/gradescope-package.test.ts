// Goal: the Gradescope package works as Gradescope runs it, and carries no solution. The zip has
// setup.sh and run_autograder at its root, executable; the kit with the graded stages' hidden
// tests; nothing of reference/ or the bug catalog and no run of solution code. Unpacked into a
// simulated /autograder, setup.sh installs the kit, and run_autograder writes a results.json in
// Gradescope's documented format (score; tests with name, score, max_score, output, visibility;
// stdout visibility): full marks for a solved submission, 0 for an empty one, hidden tests at the
// visibility chosen when packaging, and a valid file even when the grader cannot start.
// Method: `tinykv gradescope-package` for stage 1 with a time limit and `after_published`;
// `unzip` (the tool of a Linux image) into <tmp>/autograder/source; setup.sh with
// AUTOGRADER_ROOT=<tmp>/autograder (the image has Node 20, so only npm runs, from its cache);
// run_autograder copied to <tmp>/autograder as Gradescope does; submissions written into
// <tmp>/autograder/submission. results.json is checked with gradescope-results-schema.ts, whose
// rejections are tested first; the submission shapes Gradescope accepts (repository, a zipped
// folder, loose files) are tested on the layout finder alone.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gradescopeResultsProblems } from '../src/gradescope-results-schema';
import { locateSubmission } from '../src/gradescope-submission-layout';
import { kitPath } from '../src/repo-paths';
import { STAGES } from '../src/stages';
import { referenceTwin } from '../src/workspace';

jest.setTimeout(10 * 60_000);

const STAGE_1 = STAGES.find((stage) => stage.id === '1')!;

interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: string;
  output: string;
  visibility: string;
}

interface GradescopeResults {
  score: number;
  output: string;
  stdout_visibility: string;
  execution_time: number;
  extra_data: { max_score: number };
  tests: GradescopeTest[];
}

let scratch: string;
let zip: string;
let autograder: string;

function rubricPoints(file: string): Record<string, number> {
  return (JSON.parse(fs.readFileSync(kitPath(file), 'utf8')) as { tests: Record<string, number> }).tests;
}

const publicTests = () => rubricPoints('grader/rubric/1.json');
const hiddenTests = () => rubricPoints('grader/hidden/1/rubric.json');
const totalPoints = () => [...Object.values(publicTests()), ...Object.values(hiddenTests())].reduce((sum, points) => sum + points, 0);

/** Runs run_autograder as Gradescope does (working directory /autograder) on what is in submission/. */
async function runAutograder(root = autograder): Promise<{ results: GradescopeResults; stdout: string; exitCode: number }> {
  fs.mkdirSync(path.join(root, 'results'), { recursive: true });
  const run = await execa('bash', [path.join(root, 'run_autograder')], { cwd: root, reject: false, env: { AUTOGRADER_ROOT: root } });
  const file = path.join(root, 'results', 'results.json');
  if (!fs.existsSync(file)) throw new Error(`run_autograder wrote no results.json (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  return { results: JSON.parse(fs.readFileSync(file, 'utf8')) as GradescopeResults, stdout: `${run.stdout}\n${run.stderr}`, exitCode: run.exitCode ?? -1 };
}

function setSubmission(files: Record<string, string>): void {
  const dir = path.join(autograder, 'submission');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
}

/** Runs of four significant reference lines that the stub twin lacks: fingerprints of solution code. */
function solutionWindows(): Set<string> {
  const significant = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length >= 4 && !/^(\/\/|\*|\/\*|import )/.test(line));
  const windows = (text: string) => {
    const lines = significant(text);
    return lines.slice(0, Math.max(0, lines.length - 3)).map((_, i) => lines.slice(i, i + 4).join('\n'));
  };
  const found = new Set<string>();
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
  for (const file of walk(kitPath('reference'))) {
    const twin = kitPath(`labs/${path.relative(kitPath('reference'), file)}`);
    const shared = new Set(fs.existsSync(twin) ? windows(fs.readFileSync(twin, 'utf8')) : []);
    for (const window of windows(fs.readFileSync(file, 'utf8'))) if (!shared.has(window)) found.add(window);
  }
  return found;
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-gradescope-'));
  // Left private, as mkdtemp makes it: as root, the grader must still get its runs' users to the
  // kit's runs and packages (sandbox-home.ts), as on a CI runner or in a container.
  zip = path.join(scratch, 'autograder.zip');
  const packaged = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'gradescope-package', zip, '1', '--time-limit', '90', '--hidden-visibility', 'after_published'], { reject: false });
  if (packaged.exitCode !== 0) throw new Error(`gradescope-package failed:\n${packaged.stderr}`);
  autograder = path.join(scratch, 'autograder');
  fs.mkdirSync(path.join(autograder, 'source'), { recursive: true });
  const unzipped = await execa('unzip', ['-q', zip, '-d', path.join(autograder, 'source')], { reject: false });
  if (unzipped.exitCode !== 0) throw new Error(`unzip failed:\n${unzipped.stderr}`);
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("Gradescope's results format, as the schema check reads it", () => {
  const valid = { score: 3, output: 'ok', stdout_visibility: 'hidden', tests: [{ name: 't', score: 1, max_score: 1, status: 'passed', output: '', visibility: 'visible', number: '1' }] };

  test('accepts a file in the documented format', () => {
    expect(gradescopeResultsProblems(valid)).toEqual([]);
    expect(gradescopeResultsProblems({ tests: [{ score: 1, max_score: 2 }] })).toEqual([]); // the score may come from the tests alone
  });

  test.each([
    ['a missing score', { tests: [{ name: 't', max_score: 1 }] }, 'results.score is required unless every test has a score'],
    ['a wrong visibility', { ...valid, stdout_visibility: 'students' }, 'results.stdout_visibility must be one of'],
    ['a test over its maximum', { ...valid, tests: [{ ...valid.tests[0], score: 2 }] }, 'results.tests[0] scores 2, more than its max_score 1'],
    ['a test status Gradescope does not know', { ...valid, tests: [{ ...valid.tests[0], status: 'missing' }] }, 'results.tests[0].status must be one of passed, failed'],
    ['a misspelt field', { ...valid, tests: [{ ...valid.tests[0], visiblity: 'visible' }] }, "results.tests[0].visiblity is not a field of Gradescope's format"],
    ['a top-level maximum, which the format does not have', { ...valid, max_score: 3 }, "results.max_score is not a field of Gradescope's format"],
    ['a numeric test number', { ...valid, tests: [{ ...valid.tests[0], number: 1 }] }, 'results.tests[0].number must be a string'],
    ['tests that are not a list', { score: 0, tests: {} }, 'results.tests must be an array'],
  ])('rejects %s', (_case, results, problem) => {
    expect(gradescopeResultsProblems(results).join('\n')).toContain(problem);
  });
});

describe('the submission shapes Gradescope accepts', () => {
  const mine = { 'labs/1-standalone/src/raw-api.ts': '// mine\n' };
  function upload(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(scratch, 'upload-'));
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    return dir;
  }

  test('a repository is graded where it is', () => {
    const dir = upload(mine);
    expect(locateSubmission(dir, STAGES, path.join(scratch, 'staging'))).toEqual({ dir, shape: 'repository', notes: [] });
  });

  test('a zipped folder is found one level down', () => {
    const dir = upload({ 'tinykv-main/labs/1-standalone/src/raw-api.ts': '// mine\n', 'tinykv-main/README.md': '' });
    const located = locateSubmission(dir, STAGES, path.join(scratch, 'staging'));
    expect({ dir: located.dir, shape: located.shape }).toEqual({ dir: path.join(dir, 'tinykv-main'), shape: 'nested-repository' });
  });

  test('loose files are matched to the kit by name and laid out as a repository', () => {
    const dir = upload({ 'raw-api.ts': '// mine\n', 'notes.txt': '' });
    const staging = path.join(scratch, 'staging-loose');
    const located = locateSubmission(dir, STAGES, staging);
    expect({ dir: located.dir, shape: located.shape }).toEqual({ dir: staging, shape: 'loose-files' });
    expect(fs.readFileSync(path.join(staging, 'labs/1-standalone/src/raw-api.ts'), 'utf8')).toBe('// mine\n');
  });

  test('two copies of the kit are refused rather than guessed between', () => {
    const dir = upload({ 'a/labs/1-standalone/src/raw-api.ts': '', 'b/labs/1-standalone/src/raw-api.ts': '' });
    const located = locateSubmission(dir, STAGES, path.join(scratch, 'staging'));
    expect(located.shape).toBe('empty');
    expect(located.notes.join(' ')).toContain('more than one copy of the kit (a/, b/)');
  });
});

describe('the autograder zip', () => {
  test('has setup.sh and run_autograder at its root, executable, and the settings chosen', async () => {
    const listing = (await execa('zipinfo', [zip])).stdout.split('\n');
    const modeOf = (name: string) => listing.find((line) => line.endsWith(` ${name}`))?.split(/\s+/)[0];
    expect({ setup: modeOf('setup.sh'), run: modeOf('run_autograder') }).toEqual({ setup: '-rwxr-xr-x', run: '-rwxr-xr-x' });
    expect(JSON.parse(fs.readFileSync(path.join(autograder, 'source', 'tinykv-autograder.json'), 'utf8'))).toEqual({ stages: ['1'], hiddenVisibility: 'after_published', timeLimitSeconds: 90 });
  });

  test("holds the graded stage's hidden tests and no other stage's", () => {
    const hidden = fs.readdirSync(path.join(autograder, 'source', 'kit', 'grader', 'hidden'));
    expect(hidden).toEqual(['1']);
    for (const file of fs.readdirSync(kitPath('grader/hidden/1'))) expect(fs.readFileSync(path.join(autograder, 'source/kit/grader/hidden/1', file), 'utf8')).toBe(fs.readFileSync(kitPath(`grader/hidden/1/${file}`), 'utf8'));
  });

  test('holds no reference file, no bug catalog and no run of four solution lines', async () => {
    const names = (await execa('zipinfo', ['-1', zip])).stdout.split('\n');
    expect(names.filter((name) => /(^|\/)(reference|mutants)(\/|$)/.test(name))).toEqual([]);
    const solution = solutionWindows();
    expect(solution.size).toBeGreaterThan(100); // the comparison has something to find
    const significant = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line.length >= 4 && !/^(\/\/|\*|\/\*|import )/.test(line));
    const leaks: string[] = [];
    for (const name of names.filter((entry) => !entry.endsWith('/'))) {
      const lines = significant(fs.readFileSync(path.join(autograder, 'source', name), 'utf8'));
      for (let i = 0; i + 4 <= lines.length; i++) if (solution.has(lines.slice(i, i + 4).join('\n'))) leaks.push(`${name}: ${lines[i]}`);
    }
    expect(leaks.slice(0, 5)).toEqual([]);
  });
});

describe('run in a simulated /autograder', () => {
  beforeAll(async () => {
    // The image has Node 20 already, so setup.sh only installs the locked dependencies (from npm's cache here).
    const setup = await execa('bash', [path.join(autograder, 'source', 'setup.sh')], { reject: false, env: { AUTOGRADER_ROOT: autograder, npm_config_prefer_offline: 'true' } });
    if (setup.exitCode !== 0) throw new Error(`setup.sh failed (exit ${setup.exitCode}):\n${setup.stdout}\n${setup.stderr}`);
    fs.copyFileSync(path.join(autograder, 'source', 'run_autograder'), path.join(autograder, 'run_autograder'));
  });

  test('setup.sh installed the kit', () => {
    expect(fs.existsSync(path.join(autograder, 'source/kit/node_modules/jest/package.json'))).toBe(true);
  });

  test("a solved submission gets full marks in Gradescope's format, hidden tests at the chosen visibility", async () => {
    setSubmission(Object.fromEntries(STAGE_1.editable.map((file) => [file, fs.readFileSync(kitPath(referenceTwin(file)), 'utf8')])));
    const { results, stdout, exitCode } = await runAutograder();
    expect(exitCode).toBe(0);
    expect(gradescopeResultsProblems(results)).toEqual([]);
    expect({ score: results.score, max: results.extra_data.max_score }).toEqual({ score: totalPoints(), max: totalPoints() });
    expect(results.stdout_visibility).toBe('hidden');
    const byName = new Map(results.tests.map((test) => [test.name, test]));
    for (const [name, points] of Object.entries(publicTests())) expect({ name, ...byName.get(name) }).toMatchObject({ name, score: points, max_score: points, status: 'passed', visibility: 'visible' });
    for (const [name, points] of Object.entries(hiddenTests())) expect({ name, ...byName.get(name) }).toMatchObject({ name, score: points, max_score: points, status: 'passed', visibility: 'after_published' });
    expect(results.tests).toHaveLength(Object.keys(publicTests()).length + Object.keys(hiddenTests()).length);
    expect(results.output).toContain('Graded your files: labs/1-standalone/src/standalone-storage.ts, labs/1-standalone/src/raw-api.ts.');
    expect(stdout).toMatch(new RegExp(`total[^\\n]*${totalPoints()}/${totalPoints()}`)); // the instructor's table, in results/stdout
  });

  test('an empty submission scores 0, every test failed with its reason, and says no file was found', async () => {
    setSubmission({ 'README.md': 'I did not start yet.\n' });
    const { results } = await runAutograder();
    expect(gradescopeResultsProblems(results)).toEqual([]);
    expect(results.score).toBe(0);
    expect(results.tests).toHaveLength(Object.keys(publicTests()).length + Object.keys(hiddenTests()).length);
    for (const test of results.tests) expect({ name: test.name, score: test.score, status: test.status, hasOutput: test.output.length > 0 }).toEqual({ name: test.name, score: 0, status: 'failed', hasOutput: true });
    expect(results.output).toContain('No file of the kit that you edit was found in your submission');
  });

  test("the student's code runs as an unprivileged user when run_autograder runs as root, as on Gradescope", async () => {
    // The submission reports, at import, which user runs it: every test fails with that sentence.
    const probe = `throw new Error(\`submission runs as uid \${process.getuid?.()}\`);\n${fs.readFileSync(kitPath(referenceTwin(STAGE_1.editable[1])), 'utf8')}`;
    setSubmission({ [STAGE_1.editable[0]]: fs.readFileSync(kitPath(referenceTwin(STAGE_1.editable[0])), 'utf8'), [STAGE_1.editable[1]]: probe });
    const { results } = await runAutograder();
    expect(gradescopeResultsProblems(results)).toEqual([]);
    const uids = new Set(results.tests.flatMap((test) => [...test.output.matchAll(/submission runs as uid (\d+)/g)].map((match) => Number(match[1]))));
    expect(uids.size).toBeGreaterThan(0); // the probe was reached
    const graderUid = process.getuid!();
    for (const uid of uids) expect({ graderUid, uid, unprivileged: graderUid === 0 ? uid !== 0 : uid === graderUid }).toEqual({ graderUid, uid, unprivileged: true });
  });

  test('a grader that cannot run still leaves a valid results.json with a score of 0', async () => {
    // A package whose settings are unreadable: the grader starts and fails.
    const broken = path.join(scratch, 'broken-settings');
    fs.mkdirSync(path.join(broken, 'source'), { recursive: true });
    fs.symlinkSync(path.join(autograder, 'source', 'kit'), path.join(broken, 'source', 'kit'));
    fs.writeFileSync(path.join(broken, 'source', 'tinykv-autograder.json'), '{"stages": "all"}');
    fs.mkdirSync(path.join(broken, 'submission'));
    fs.copyFileSync(path.join(autograder, 'run_autograder'), path.join(broken, 'run_autograder'));
    const failed = await runAutograder(broken);
    expect(gradescopeResultsProblems(failed.results)).toEqual([]);
    expect(failed.results.score).toBe(0);
    expect(failed.results.output).toContain('problem on the grading side');
    expect(failed.stdout).toContain('"stages" must be a list of stage ids');
    // No kit at all: the grader cannot even start, and run_autograder's own fallback answers.
    const empty = path.join(scratch, 'no-kit');
    fs.mkdirSync(empty);
    fs.copyFileSync(path.join(autograder, 'run_autograder'), path.join(empty, 'run_autograder'));
    const missing = await runAutograder(empty);
    expect(gradescopeResultsProblems(missing.results)).toEqual([]);
    expect(missing.results.score).toBe(0);
    expect(missing.exitCode).toBe(0);
  });
});
