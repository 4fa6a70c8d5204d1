/**
 * The grader's end of the results pipe: parses the reporter's signed lines
 * (`<json>\t<hmac>`, see jest-results-reporter.js) as they arrive, within fixed bounds.
 *
 * The pipe is the grader's own (an inherited file descriptor of the jest process, not a file in
 * the workspace), so nothing can swap it for a FIFO or a 3 GiB sparse file. Its content is still
 * bounded: past {@link MAX_RESULTS_BYTES} the channel stops taking lines and says so, a line
 * longer than {@link MAX_LINE_BYTES} is dropped, and a line with a wrong signature or sequence
 * number is counted as forged and ignored.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import type { ReportedTest } from './stage-process';

/** The most result bytes one stage process may send (a real stage sends well under 1 MiB). */
export const MAX_RESULTS_BYTES = 16 * 1024 * 1024;
/** The longest line taken: the reporter cuts names and messages well below this. */
export const MAX_LINE_BYTES = 64 * 1024;

/** What the channel carried, after checking every line's signature. */
export interface ResultsContent {
  readonly tests: ReportedTest[];
  readonly fileErrors: { file: string; error: string }[];
  /** The reporter said the run completed. */
  readonly done: boolean;
  /** Lines that were not signed by the reporter, out of sequence, or too long. */
  readonly forgedLines: number;
  /** The channel carried more than {@link MAX_RESULTS_BYTES}; the rest was not read. */
  readonly overflowed: boolean;
}

function signature(key: string, body: string): string {
  return crypto.createHmac('sha256', key).update(body).digest('hex');
}

/** Collects the reporter's lines from chunks of the pipe. */
export class ResultsChannel {
  readonly #key: string;
  readonly #tests: ReportedTest[] = [];
  readonly #fileErrors: { file: string; error: string }[] = [];
  #done = false;
  #forgedLines = 0;
  #overflowed = false;
  #bytes = 0;
  #expectedSequence = 0;
  /** The unfinished last line, as raw chunks (a UTF-8 character may straddle two chunks). */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** The current line is already over the limit: drop it up to its end. */
  #skipping = false;

  /** @param key - the key the reporter signs with (sent to it on stdin). */
  constructor(key: string) {
    this.#key = key;
  }

  /** How many tests have been reported so far (for a progress display). */
  get testsSoFar(): number {
    return this.#tests.length;
  }

  /** True once the channel has refused more bytes: the caller should stop the process. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Takes the next chunk of the pipe. */
  push(chunk: Buffer): void {
    if (this.#overflowed) return;
    if (this.#bytes + chunk.length > MAX_RESULTS_BYTES) {
      this.#overflowed = true;
      return;
    }
    this.#bytes += chunk.length;
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      this.#append(chunk.subarray(start, newline));
      this.#finishLine();
      start = newline + 1;
    }
    this.#append(chunk.subarray(start));
  }

  /** Everything read; a torn last line (the process was killed mid-write) is ignored. */
  content(): ResultsContent {
    return { tests: this.#tests, fileErrors: this.#fileErrors, done: this.#done, forgedLines: this.#forgedLines, overflowed: this.#overflowed };
  }

  #append(piece: Buffer): void {
    if (piece.length === 0 || this.#skipping) return;
    if (this.#partialBytes + piece.length > MAX_LINE_BYTES) {
      this.#skipping = true;
      this.#partial = [];
      this.#partialBytes = 0;
      return;
    }
    this.#partial.push(piece);
    this.#partialBytes += piece.length;
  }

  #finishLine(): void {
    const skipped = this.#skipping;
    const line = Buffer.concat(this.#partial).toString('utf8');
    this.#partial = [];
    this.#partialBytes = 0;
    this.#skipping = false;
    if (skipped) {
      this.#forgedLines++;
      return;
    }
    if (line.trim() !== '') this.#take(line);
  }

  #take(line: string): void {
    const tab = line.lastIndexOf('\t');
    const body = tab < 0 ? line : line.slice(0, tab);
    const mac = tab < 0 ? '' : line.slice(tab + 1);
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(body) as Record<string, unknown>;
    } catch {
      this.#forgedLines++;
      return;
    }
    if (record === null || typeof record !== 'object' || mac !== signature(this.#key, body) || record.seq !== this.#expectedSequence) {
      this.#forgedLines++;
      return;
    }
    this.#expectedSequence++;
    if (record.type === 'test') {
      this.#tests.push({
        file: String(record.file),
        name: String(record.name),
        status: String(record.status),
        durationMs: Number(record.durationMs) || 0,
        message: String(record.message ?? ''),
      });
    } else if (record.type === 'file' && typeof record.error === 'string') {
      this.#fileErrors.push({ file: String(record.file), error: record.error });
    } else if (record.type === 'done') {
      this.#done = true;
    }
  }
}
