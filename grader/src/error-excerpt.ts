/**
 * The first lines of a process's error output, cleaned up for a report: the part a person needs
 * to see why a stage crashed (jest's configuration error, `process.exit called with "3"`, a
 * fatal throw), without colour codes, blank lines or megabytes of noise.
 *
 * @module
 */

/** Terminal colour and cursor sequences. */
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** A line of the source excerpt jest draws under an error (`  > 55 | code`, `     |   ^`). */
const CODE_FRAME_LINE = /^\s*>?\s*\d*\s*\|/;

/** At most this many characters of one line are kept. */
const LINE_LIMIT = 200;

/**
 * The first `maxLines` non-blank lines of `output`, trimmed of colour codes and trailing
 * spaces, each cut at 200 characters. The source excerpt jest draws under an error is left
 * out: the stack lines after it say the same in less room (`at … (labs/…/scanner.ts:55:9)`).
 *
 * @param output - what a process wrote on stderr.
 * @param maxLines - how many lines to keep (default 6).
 * @returns the lines joined with `\n`, or `''` when the output holds nothing but blanks.
 */
export function errorExcerpt(output: string, maxLines = 6): string {
  return output
    .replace(ANSI_ESCAPE, '')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '' && !CODE_FRAME_LINE.test(line))
    .slice(0, maxLines)
    .map((line) => (line.length > LINE_LIMIT ? `${line.slice(0, LINE_LIMIT - 1)}…` : line))
    .join('\n');
}
