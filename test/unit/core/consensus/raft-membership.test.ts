import {expect} from 'chai'
import {decodeRaftMessage, nextConfigStep} from '../../../../src/core/consensus/raft/index.js'
import {Cluster, leaderOf} from './cluster.js'

describe('raft: membership', () => {
  it('single-server steps: add the missing servers first, then remove the extra ones, one at a time', () => {
    expect(nextConfigStep(['a', 'b', 'c'], ['a', 'b', 'c'])).to.equal(undefined)
    expect(nextConfigStep(['a', 'b', 'c'], ['a', 'd', 'e'])).to.deep.equal(['a', 'b', 'c', 'd'])
    expect(nextConfigStep(['a', 'b', 'c', 'd', 'e'], ['a', 'd', 'e'])).to.deep.equal(['a', 'c', 'd', 'e'])
  })

  it('a server added by a config block joins the log, votes and can lead', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3, observers: 1})
    cluster.configAt = {height: 2, validators: cluster.ids}
    cluster.run(() => cluster.heights().every((height) => height >= 5))
    expect(cluster.engine('n3').status().validators).to.deep.equal(cluster.ids)
    expect(cluster.engine('n3').status().role).to.equal('follower')
    // Cut off everyone but n3 in turn until n3 leads: it is a full member now.
    for (let attempt = 0; leaderOf(cluster) !== 'n3' && attempt < 20; attempt++) {
      const leader = leaderOf(cluster)!
      cluster.crash(leader)
      cluster.run(() => leaderOf(cluster) !== undefined, 200)
      cluster.restart(leader)
    }
    expect(leaderOf(cluster)).to.equal('n3')
    const before = cluster.node('n3').height
    cluster.run(() => cluster.heights().every((height) => height >= before + 2))
  })

  it('a leader that removes itself steps down once the change commits, and stays quiet', () => {
    const cluster = new Cluster({kind: 'raft', validators: 4})
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const leader = leaderOf(cluster)!
    const rest = cluster.ids.filter((id) => id !== leader)
    const at = cluster.node(leader).height + 2 // the next block may already be proposed
    cluster.configAt = {height: at, validators: rest}
    cluster.run(() => rest.every((id) => cluster.node(id).height >= at + 3))
    expect(cluster.engine(leader).status().role).to.equal('observer')
    const next = leaderOf(cluster, rest)!
    expect(next).to.not.equal(undefined)
    for (const block of cluster.node(next).chain.slice(at)) expect(block.certificate.signatures[0]!.signer).to.not.equal(leader)
    cluster.drop()
    cluster.tick([leader], 100)
    const campaigns = cluster.outbox.filter((message) => message.from === leader && decodeRaftMessage(message.bytes).type === 'pre-vote')
    expect(campaigns).to.deep.equal([])
  })

  it('replacing two servers goes through four single-server config entries and keeps committing', () => {
    const cluster = new Cluster({kind: 'raft', validators: 3, observers: 2})
    const wanted = ['n0', 'n3', 'n4']
    cluster.configAt = {height: 2, validators: wanted}
    const configs = new Set<string>()
    cluster.dropWhen = (message) => {
      const decoded = decodeRaftMessage(message.bytes)
      if (decoded.type === 'append') for (const entry of decoded.entries) if (entry.config !== undefined) configs.add(entry.config.join(','))
      return false
    }
    cluster.run(() => wanted.every((id) => cluster.node(id).height >= 6))
    const leader = leaderOf(cluster, wanted)!
    expect(cluster.engine(leader).status().validators).to.have.members(wanted)
    expect([...configs]).to.deep.equal(['n0,n1,n2,n3', 'n0,n1,n2,n3,n4', 'n0,n2,n3,n4', 'n0,n3,n4'])
  })
})
