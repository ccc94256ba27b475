import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {decodeRaftMessage} from '../../../../src/core/consensus/raft/index.js'
import {decodeRaftState} from '../../../../src/core/consensus/raft/persist.js'
import {Cluster, cutOff, leaderOf} from './cluster.js'

const hashes = (cluster: Cluster, id: string, count: number): string[] =>
  cluster.node(id).chain.slice(0, count).map((block) => toHex(block.certificate.blockHash))

describe('raft: log replication', () => {
  it('a block commits once a majority holds it, and not before', () => {
    const cluster = new Cluster({kind: 'raft', validators: 5})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const leader = leaderOf(cluster)!
    const others = cluster.ids.filter((id) => id !== leader)
    cluster.dropWhen = cutOff(...others.slice(0, 3)) // leader + 1 follower: a minority
    cluster.drop()
    const height = cluster.node(leader).height
    cluster.tick(cluster.ids, 5)
    cluster.stabilize()
    expect(cluster.node(leader).height, 'no majority, no commit').to.equal(height)
    cluster.dropWhen = cutOff(...others.slice(0, 2)) // leader + 2 followers: a majority of 5
    cluster.run(() => cluster.node(leader).height >= height + 2)
  })

  it('the certificate is the leader signature over (height, term, block hash)', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 2))
    const leader = leaderOf(cluster)!
    const certificate = cluster.node('n0').chain[1]!.certificate
    expect(certificate.kind).to.equal('raft')
    expect(certificate.round).to.equal(cluster.engine(leader).status().round)
    expect(certificate.signatures.map((signature) => signature.signer)).to.deep.equal([leader])
  })

  it('a follower with a stale log is caught up', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const follower = cluster.ids.find((id) => id !== leaderOf(cluster))!
    cluster.dropWhen = cutOff(follower)
    cluster.run(() => cluster.heights().filter((height) => height >= 6).length >= 2)
    expect(cluster.node(follower).height).to.be.lessThan(6)
    cluster.dropWhen = undefined
    cluster.run(() => cluster.node(follower).height >= 6)
    expect(hashes(cluster, follower, 6)).to.deep.equal(hashes(cluster, leaderOf(cluster)!, 6))
    expect(cluster.node(follower).syncRequests, 'caught up from the log alone').to.deep.equal([])
  })

  it('a deposed leader drops its uncommitted entry and takes the new leader log', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 2))
    const old = leaderOf(cluster)!
    cluster.dropWhen = cutOff(old) // its next block reaches nobody
    cluster.drop()
    const height = cluster.node(old).height
    cluster.run(() => leaderOf(cluster, cluster.ids.filter((id) => id !== old)) !== undefined)
    const fresh = leaderOf(cluster, cluster.ids.filter((id) => id !== old))!
    cluster.run(() => cluster.node(fresh).height >= height + 3)
    expect(cluster.node(old).height).to.equal(height)
    expect(cluster.node(old).proposals, 'it did append a block of its own').to.include(height + 1)
    cluster.dropWhen = undefined
    cluster.run(() => cluster.node(old).height >= height + 3)
    expect(hashes(cluster, old, height + 3)).to.deep.equal(hashes(cluster, fresh, height + 3))
    expect(cluster.engine(old).status().role).to.equal('follower')
  })

  it('a follower behind the compacted log is sent a snapshot, syncs the blocks, then follows', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3, limits: {retainedEntries: 2}})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const leader = leaderOf(cluster)!
    const follower = cluster.ids.find((id) => id !== leader)!
    cluster.dropWhen = cutOff(follower)
    cluster.run(() => cluster.node(leader).height >= 15)
    cluster.dropWhen = undefined
    cluster.run(() => cluster.node(follower).syncRequests.length > 0)
    const request = cluster.node(follower).syncRequests[0]!
    expect(request.peer).to.equal(leader)
    expect(request.fromHeight).to.equal(2)
    cluster.syncFrom(leader, follower)
    const target = cluster.node(leader).height + 3
    cluster.run(() => cluster.node(follower).height >= target)
    expect(hashes(cluster, follower, target)).to.deep.equal(hashes(cluster, leader, target))
  })

  it('the retained log is bounded by payload bytes as well as by count (the persisted state stays small)', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3, limits: {retainedBytes: 1}})
    cluster.run(() => cluster.heights().every((height) => height >= 40))
    for (const id of cluster.ids) {
      const log = decodeRaftState(cluster.node(id).persisted!).log
      const payloadBytes = log.all().reduce((sum, entry) => sum + (entry.payload?.length ?? 0), 0)
      const largest = Math.max(...log.all().map((entry) => entry.payload?.length ?? 0))
      // Compaction keeps no applied block (1 byte fits none) once two bytes have built up: at most
      // two applied blocks, plus the uncommitted one, stay in the log.
      expect(payloadBytes, `${id} persisted log payloads`).to.be.at.most(3 * largest)
      expect(log.snapshot.height, `${id} compacted`).to.be.at.least(35)
    }
    // Without the byte bound, the count bound alone keeps up to 2 × 16 applied blocks.
    const unbounded = new Cluster({kind: 'raft', validators: 3})
    unbounded.run(() => unbounded.heights().every((height) => height >= 40))
    expect(decodeRaftState(unbounded.node('n0').persisted!).log.all().length).to.be.greaterThan(16)
  })

  it('a restarted node resumes from its persisted term, vote and log', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 3))
    const leader = leaderOf(cluster)!
    for (const id of cluster.ids) {
      const status = cluster.engine(id).status()
      cluster.crash(id)
      cluster.restart(id)
      expect(cluster.engine(id).status().round, 'term survives').to.equal(status.round)
    }
    const persisted = cluster.node(leader).persisted!
    expect(persisted.length).to.be.greaterThan(0)
    cluster.run(() => cluster.heights().every((height) => height >= 6))
  })

  it('messages that are not raft messages are ignored', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    for (const bytes of [new Uint8Array(0), new Uint8Array([0xa0]), new Uint8Array(64).fill(0xff)]) cluster.engine('n0').step('n1', bytes)
    expect(() => decodeRaftMessage(new Uint8Array([0xa0]))).to.throw(/raft message/)
    cluster.run(() => cluster.heights().every((height) => height >= 3))
  })
})
