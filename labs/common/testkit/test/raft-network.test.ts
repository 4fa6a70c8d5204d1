// Goal: the Raft test network treats messages as values. A node that changes a message it
// received, or sends the received object again, fails the test with a sentence that names the
// node and says to build a new message; forwarding a copy, or stamping proposed entries in
// place, works. Method: tiny scripted peers (no Raft) on the network, each doing one of these.
import { createEntry } from '../../raft/entry';
import { createMessage, MessageType, type Message } from '../../raft/message';
import { createRng } from '../../runtime/rng';
import { RaftNetwork, type RaftNetworkPeer } from '../raft-network';

/** A peer that runs `onStep` for every message and records what it received. */
class ScriptedPeer implements RaftNetworkPeer {
  msgs: Message[] = [];
  readonly received: Message[] = [];
  constructor(private readonly onStep: (peer: ScriptedPeer, message: Message) => void = () => undefined) {}
  step(message: Message): void {
    this.received.push(message);
    this.onStep(this, message);
  }
}

function networkOf(peers: Record<number, ScriptedPeer>): RaftNetwork {
  return new RaftNetwork(new Map(Object.entries(peers).map(([id, peer]) => [Number(id), peer])), createRng(1));
}

function proposal(to: number): Message {
  return createMessage({ msgType: MessageType.MsgPropose, from: to, to, entries: [createEntry({ term: 0, index: 0, data: Buffer.from('x') })] });
}

test('a node that changes a received message and sends it again fails, naming the node and what to do instead', () => {
  const follower = new ScriptedPeer((peer, message) => {
    message.to = 1;
    peer.msgs.push(message);
  });
  const network = networkOf({ 1: new ScriptedPeer(), 2: follower });
  expect(() => network.send(proposal(2))).toThrow(
    /^Node 2 changed a message it received and put it back into its outbox to send it again \(the network would lose it\): it was delivered as "2->2 MsgPropose.*" and is now "2->1 MsgPropose.*"\. .*build a new message \(\{ \.\.\.message, to: this\.lead \}.*See labs\/2a-raft\/README\.md#messages-and-their-fields\.$/,
  );
});

test('a node that changes a received message without sending it fails too: the delivered record must not change', () => {
  const network = networkOf({ 1: new ScriptedPeer((_peer, message) => void (message.term = 9)) });
  expect(() => network.send(createMessage({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 3 }))).toThrow(
    /^Node 1 changed a message it received: it was delivered as "2->1 MsgHeartbeat term:3" and is now "2->1 MsgHeartbeat term:9"\./,
  );
});

test('a node that puts a received message back into its outbox unchanged fails when the network collects it', () => {
  let kept: Message | undefined;
  const network = networkOf({ 1: new ScriptedPeer((_peer, message) => void (kept = message)) });
  network.send(createMessage({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 3 }));
  const node = network.peer(1);
  node.msgs.push(kept as Message);
  expect(() => network.collect(1)).toThrow(
    /^Node 1 put a message it had received back into its outbox \("2->1 MsgHeartbeat term:3"\): the network already delivered that object, and sending it again would lose it\. Build a new message instead/,
  );
});

test('forwarding a copy reaches the leader, and stamping the proposed entries in place is allowed', () => {
  const leader = new ScriptedPeer((_peer, message) => {
    for (const entry of message.entries) entry.term = 5;
  });
  const follower = new ScriptedPeer((peer, message) => peer.msgs.push({ ...message, to: 1 }));
  const network = networkOf({ 1: leader, 2: follower });
  expect(network.send(proposal(2))).toBe(2);
  expect(leader.received.map((m) => `${m.from}->${m.to} ${m.msgType} entry term ${m.entries[0].term}`)).toEqual(['2->1 MsgPropose entry term 5']);
});
