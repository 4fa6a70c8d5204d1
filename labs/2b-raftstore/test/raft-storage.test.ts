// Goal: RaftStorage serves stage 1's Storage interface over the replicated region, so the
// servers of stages 1 and 4 run on Raft unchanged. Method: a 3-store cluster in virtual
// time; write through RaftStorage at the leader, read back through a reader, and check that
// a follower answers with a region error instead of serving.
import { CF_DEFAULT, CF_LOCK } from '../../common/engine/engine';
import { findPeerOnStore } from '../../common/raftstore/region';
import { Cluster } from '../testkit/cluster';
import { forEachSeed } from '../../common/testkit/seeds';
import { RaftStorage, RegionErrorException } from '../src/raft-storage';

function storageAt(cluster: Cluster, storeId: number): RaftStorage {
  const region = cluster.region;
  const peer = findPeerOnStore(region, storeId) ?? region.peers[0];
  return new RaftStorage((request) => cluster.sendCommand(storeId, request, 1_000), { regionId: region.id, regionEpoch: region.epoch, peer });
}

describe('[2B] RaftStorage', () => {
  test('[2B] writes through RaftStorage at the leader are read back, in key order, by a reader of every column family', () =>
    forEachSeed(2, async (seed) => {
      const cluster = new Cluster({ seed, storeCount: 3 });
      cluster.start();
      const leader = await cluster.waitForLeader();
      const storage = storageAt(cluster, leader);
      const b = (text: string): Buffer => Buffer.from(text);
      await cluster.run(
        storage.write({}, [
          { kind: 'put', cf: CF_DEFAULT, key: b('b'), value: b('2') },
          { kind: 'put', cf: CF_DEFAULT, key: b('a'), value: b('1') },
          { kind: 'put', cf: CF_LOCK, key: b('a'), value: b('lock') },
        ]),
        5_000,
        'the write',
      );
      await cluster.run(storage.write({}, [{ kind: 'delete', cf: CF_DEFAULT, key: b('b') }, { kind: 'put', cf: CF_DEFAULT, key: b('c'), value: b('3') }]), 5_000, 'the second write');
      const reader = await cluster.run(storage.reader({}), 5_000, 'the reader');
      expect(reader.getCF(CF_DEFAULT, b('a'))?.toString()).toBe('1');
      expect(reader.getCF(CF_DEFAULT, b('b'))).toBeUndefined();
      expect(reader.getCF(CF_LOCK, b('a'))?.toString()).toBe('lock');
      const iterator = reader.iterCF(CF_DEFAULT);
      const seen: string[] = [];
      for (iterator.seek(Buffer.alloc(0)); iterator.valid(); iterator.next()) seen.push(`${iterator.key().toString()}=${iterator.value().toString()}`);
      iterator.close();
      reader.close();
      expect(seen).toEqual(['a=1', 'c=3']);
    }));

  test('[2B] RaftStorage at a follower throws a region error naming the leader instead of serving', () =>
    forEachSeed(2, async (seed) => {
      const cluster = new Cluster({ seed, storeCount: 3 });
      cluster.start();
      const leader = await cluster.waitForLeader();
      await cluster.runFor(200);
      const follower = cluster.storeIds().find((id) => id !== leader) as number;
      const failure = await cluster.run(
        storageAt(cluster, follower)
          .write({}, [{ kind: 'put', cf: CF_DEFAULT, key: Buffer.from('x'), value: Buffer.from('y') }])
          .then(() => undefined, (error: unknown) => error),
        5_000,
        'the write at a follower',
      );
      expect(failure).toBeInstanceOf(RegionErrorException);
      expect((failure as RegionErrorException).regionError.kind).toBe('not-leader');
      expect((failure as RegionErrorException).regionError.leader?.storeId).toBe(leader);
    }));
});
