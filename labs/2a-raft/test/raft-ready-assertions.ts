/**
 * Field-by-field comparison of a RawNode's Ready, with failure messages that say which field
 * differs and what "absent" means there.
 *
 * @module
 */
import type { Ready } from '../src/ready';
import { describeEntry, type Entry } from '../../common/raft/entry';
import { describeMessage, type Message } from '../../common/raft/message';

/** Why each field may be expected absent or empty, for failure messages. */
const FIELD_MEANING: Record<keyof Ready, string> = {
  softState: 'softState is undefined unless leader or role changed since the last advanced Ready',
  hardState: 'hardState is undefined unless term, vote or commit changed since the last advanced Ready',
  entries: 'entries are the unstable entries: every entry after raftLog.stabled',
  snapshot: 'snapshot is undefined unless a snapshot is pending (2C)',
  committedEntries: 'committedEntries are the entries after raftLog.applied up to raftLog.committed',
  messages: 'messages are the outbox not yet handed out by an advanced Ready',
};

function describeValue(value: unknown): string {
  return value === undefined ? 'absent (undefined)' : JSON.stringify(value);
}

function describeEntries(entries: readonly Entry[]): string {
  return entries.length === 0 ? '[] (empty)' : `[${entries.map(describeEntry).join(', ')}]`;
}

function describeMessages(messages: readonly Message[]): string {
  return messages.length === 0 ? '[] (empty)' : `[\n    ${messages.map(describeMessage).join('\n    ')}\n  ]`;
}

/**
 * Compares two Readys field by field and returns one line per differing field (empty when
 * they are equal). Entries are compared by index, term, type and data; messages by their
 * one-line description (type, from, to, term, log position, commit, reject, entries).
 */
export function diffReady(actual: Ready, expected: Ready): string[] {
  const differences: string[] = [];
  const compare = (field: keyof Ready, actualText: string, expectedText: string): void => {
    if (actualText !== expectedText) {
      differences.push(`Ready.${field} differs:\n  expected ${expectedText}\n  actual   ${actualText}\n  (${FIELD_MEANING[field]})`);
    }
  };
  compare('softState', describeValue(actual.softState), describeValue(expected.softState));
  compare('hardState', describeValue(actual.hardState), describeValue(expected.hardState));
  compare('entries', describeEntries(actual.entries), describeEntries(expected.entries));
  compare('committedEntries', describeEntries(actual.committedEntries), describeEntries(expected.committedEntries));
  compare('messages', describeMessages(actual.messages), describeMessages(expected.messages));
  const snapshotText = (ready: Ready): string =>
    ready.snapshot === undefined ? 'absent (undefined)' : `${ready.snapshot.metadata.index}/${ready.snapshot.metadata.term}`;
  compare('snapshot', snapshotText(actual), snapshotText(expected));
  return differences;
}

/**
 * Throws when `actual` differs from `expected` in any field, listing every differing field.
 *
 * @param actual - the Ready the node produced.
 * @param expected - the Ready the test expects; leave softState/hardState/snapshot undefined to expect them absent.
 * @param context - what the test was doing, for the message.
 * @throws Error naming each differing field and why it should be as expected.
 */
export function expectReadyEquals(actual: Ready, expected: Ready, context: string): void {
  const differences = diffReady(actual, expected);
  if (differences.length > 0) {
    throw new Error(`The Ready ${context} is not the expected one.\n${differences.join('\n')}`);
  }
}
