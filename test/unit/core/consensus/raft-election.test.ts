import {expect} from 'chai'
import {createRaftEngine, decodeRaftMessage, encodeRaftMessage, type RaftMessage} from '../../../../src/core/consensus/raft/index.js'
import {GENESIS_HASH, simApplication} from '../../../../src/core/consensus/sim/application.js'
import {FakeKeyring} from '../../../../src/core/consensus/sim/crypto.js'
import {Cluster, cutOff, leaderOf, type Message} from './cluster.js'

const typeOf = (message: Message): RaftMessage['type'] => decodeRaftMessage(message.bytes).type

describe('raft: leader election', () => {
  it('a node whose election timeout fires becomes leader with a majority of votes, and all follow it', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => leaderOf(cluster) !== undefined)
    const leader = leaderOf(cluster)!
    const term = cluster.engine(leader).status().round
    cluster.run(() => cluster.heights().every((height) => height >= 2))
    for (const id of cluster.ids) expect(cluster.engine(id).status()).to.include({leader, round: term})
  })

  it('pre-vote does not disrupt a stable leader', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 2))
    const leader = leaderOf(cluster)!
    const term = cluster.engine(leader).status().round
    const follower = cluster.ids.find((id) => id !== leader)!
    cluster.dropWhen = cutOff(follower)
    cluster.run(() => cluster.node(leader).height >= 4)
    cluster.tick([follower], 200) // campaigns again and again, alone
    cluster.drop()
    expect(cluster.engine(follower).status().round, 'pre-votes never raise the term').to.equal(term)
    cluster.dropWhen = undefined
    cluster.run(() => cluster.heights().every((height) => height >= 6))
    expect(leaderOf(cluster)).to.equal(leader)
    expect(cluster.engine(leader).status().round).to.equal(term)
  })

  it('a follower in its leader lease ignores vote requests of a higher term', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const leader = leaderOf(cluster)!
    const [follower, other] = cluster.ids.filter((id) => id !== leader) as [string, string]
    const term = cluster.engine(follower).status().round
    cluster.drop()
    cluster.engine(follower).step(other, encodeRaftMessage({type: 'vote', term: term + 5, lastIndex: 100, lastTerm: term + 4}))
    cluster.process(follower)
    expect(cluster.engine(follower).status().round).to.equal(term)
    expect(cluster.outbox.filter((message) => message.from === follower)).to.deep.equal([])
  })

  it('a candidate whose log lacks committed entries cannot win', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const leader = leaderOf(cluster)!
    const [stale, current] = cluster.ids.filter((id) => id !== leader) as [string, string]
    cluster.dropWhen = cutOff(stale)
    cluster.run(() => cluster.node(current).height >= 4)
    cluster.crash(leader)
    cluster.dropWhen = undefined
    cluster.run(() => leaderOf(cluster, [stale, current]) !== undefined)
    expect(leaderOf(cluster, [stale, current])).to.equal(current)
  })

  it('a node never grants two votes in one term, even across a restart', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3})
    cluster.drop()
    const ask = (from: string) => {
      cluster.engine('n0').step(from, encodeRaftMessage({type: 'vote', term: 7, lastIndex: 0, lastTerm: 0}))
      cluster.process('n0')
      const reply = cluster.outbox.find((message) => message.from === 'n0' && message.to === from && typeOf(message) === 'vote-response')!
      cluster.drop()
      return decodeRaftMessage(reply.bytes) as {granted: boolean}
    }
    expect(ask('n1').granted).to.equal(true)
    cluster.crash('n0')
    cluster.restart('n0')
    expect(ask('n2').granted).to.equal(false)
    expect(ask('n1').granted, 'the same candidate may ask again').to.equal(true)
  })

  it('election timeouts are drawn from the injected random source', () => {
    const keyring = new FakeKeyring(['a', 'b'], 1)
    const firstCampaignTick = (random: number) => {
      const engine = createRaftEngine({
        crypto: keyring.cryptoFor('a'),
        application: simApplication(() => GENESIS_HASH),
        validators: ['a', 'b'],
        lastCommitted: {height: 0, blockHash: GENESIS_HASH},
        random: () => random,
        timing: {electionTimeoutTicks: 10},
      })
      for (let tick = 1; tick <= 100; tick++) {
        engine.tick()
        const ready = engine.ready()
        engine.advance(ready)
        if (ready.messages.some((message) => decodeRaftMessage(message.bytes).type === 'pre-vote')) return tick
      }
      return -1
    }
    expect(firstCampaignTick(0)).to.equal(10)
    expect(firstCampaignTick(0.95)).to.equal(19)
  })
})
