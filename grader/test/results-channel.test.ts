// Goal: the grader's end of the results pipe believes only the reporter's signed lines, and stays
// bounded whatever arrives: forged, torn, split, over-long lines and floods.
// Method: feed ResultsChannel chunks by hand, signed the way jest-results-reporter.js signs.
import * as crypto from 'node:crypto';
import { MAX_LINE_BYTES, MAX_RESULTS_BYTES, ResultsChannel } from '../src/results-channel';

const KEY = 'k'.repeat(64);

function signed(record: Record<string, unknown>, key = KEY): string {
  const body = JSON.stringify(record);
  return `${body}\t${crypto.createHmac('sha256', key).update(body).digest('hex')}\n`;
}

const testLine = (seq: number, name: string, status = 'passed') => signed({ type: 'test', file: 'f.test.ts', name, status, durationMs: 1, message: '', seq });

test('signed lines in sequence are taken; the done line marks completion', () => {
  const channel = new ResultsChannel(KEY);
  channel.push(Buffer.from(testLine(0, '[9] a') + signed({ type: 'file', file: 'f.test.ts', error: 'boom', seq: 1 }) + signed({ type: 'done', seq: 2 })));
  expect(channel.content()).toMatchObject({ done: true, forgedLines: 0, overflowed: false, fileErrors: [{ file: 'f.test.ts', error: 'boom' }] });
  expect(channel.content().tests.map((t) => t.name)).toEqual(['[9] a']);
});

test('unsigned, wrongly signed, out-of-sequence and unparseable lines are counted as forged and ignored', () => {
  const channel = new ResultsChannel(KEY);
  const unsigned = `${JSON.stringify({ type: 'test', name: '[9] fake', status: 'passed', seq: 0 })}\n`;
  channel.push(Buffer.from(unsigned + signed({ type: 'test', name: '[9] fake', status: 'passed', seq: 0 }, 'wrong key') + testLine(5, '[9] replayed') + 'garbage\n' + testLine(0, '[9] real')));
  expect(channel.content().forgedLines).toBe(4);
  expect(channel.content().tests.map((t) => t.name)).toEqual(['[9] real']);
});

test('lines split across chunks, even inside a UTF-8 character, are put back together', () => {
  const channel = new ResultsChannel(KEY);
  const bytes = Buffer.from(testLine(0, '[9] naïve ✓ test'));
  for (let at = 0; at < bytes.length; at += 3) channel.push(bytes.subarray(at, at + 3));
  expect(channel.content().tests.map((t) => t.name)).toEqual(['[9] naïve ✓ test']);
});

test('a torn last line (the process was killed mid-write) is ignored without counting as forged', () => {
  const channel = new ResultsChannel(KEY);
  channel.push(Buffer.from(testLine(0, '[9] a') + testLine(1, '[9] b').slice(0, 30)));
  expect(channel.content()).toMatchObject({ forgedLines: 0, done: false });
  expect(channel.content().tests).toHaveLength(1);
});

test('a line longer than the limit is dropped and the next line still counts', () => {
  const channel = new ResultsChannel(KEY);
  channel.push(Buffer.from('x'.repeat(MAX_LINE_BYTES + 10)));
  channel.push(Buffer.from('y'.repeat(100) + '\n'));
  channel.push(Buffer.from(testLine(0, '[9] after')));
  expect(channel.content().forgedLines).toBe(1);
  expect(channel.content().tests.map((t) => t.name)).toEqual(['[9] after']);
});

test('past its byte limit the channel takes nothing more and says it overflowed', () => {
  const channel = new ResultsChannel(KEY);
  channel.push(Buffer.from(testLine(0, '[9] first')));
  const junk = Buffer.alloc(1024 * 1024, 'z');
  for (let sent = 0; sent <= MAX_RESULTS_BYTES; sent += junk.length) channel.push(junk);
  channel.push(Buffer.from(testLine(1, '[9] too late')));
  expect(channel.overflowed).toBe(true);
  expect(channel.content().tests.map((t) => t.name)).toEqual(['[9] first']);
});
