import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {
  decodePbftMessage,
  encodePbftMessage,
  signPbftMessage,
  type PbftBody,
  type SignedPbftMessage,
} from '../../../../src/core/consensus/pbft/index.js'
import {decodeSimBlock} from '../../../../src/core/consensus/sim/application.js'
import {Cluster, type Message} from './cluster.js'

const bodyOf = (message: Message): PbftBody => decodePbftMessage(message.bytes).body
const isCommit = (message: Message): boolean => bodyOf(message).type === 'commit'

describe('pbft: view change', () => {
  it('a silent primary is replaced through a view change', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.drop()
    cluster.dropWhen = (message) => message.from === 'n1'
    cluster.run(() => ['n0', 'n2', 'n3'].every((id) => cluster.node(id).height >= 1))
    const block = cluster.node('n0').chain[0]!
    expect(block.certificate.round).to.equal(1)
    expect(decodeSimBlock(block.payload)!.proposer).to.equal('n2') // validators[(1 + 1) % 4]
  })

  it('view change re-proposes a prepared block', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.stabilize((message) => !isCommit(message)) // everyone prepares n1's block
    const prepared = toHex((bodyOf(cluster.outbox.find(isCommit)!) as {digest: Uint8Array}).digest)
    cluster.dropWhen = (message) => isCommit(message) && bodyOf(message).view === 0 // no view-0 commit ever arrives
    cluster.drop()
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    const block = cluster.node('n3').chain[0]!
    expect(block.certificate.round, 'decided in a later view').to.be.greaterThan(0)
    expect(toHex(block.certificate.blockHash), 'the same block').to.equal(prepared)
    expect(cluster.node('n2').proposals, 'the new primary was never asked for a fresh block 1').to.not.include(1)
  })

  it('a prepared block survives every replica crashing and is still the one re-proposed', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.stabilize((message) => !isCommit(message))
    const prepared = toHex((bodyOf(cluster.outbox.find(isCommit)!) as {digest: Uint8Array}).digest)
    // After the crash nothing of view 0 is heard again: only what each replica persisted remains.
    cluster.dropWhen = (message) => ['pre-prepare', 'prepare', 'commit'].includes(bodyOf(message).type) && bodyOf(message).view === 0
    cluster.drop()
    for (const id of cluster.ids) cluster.crash(id)
    for (const id of cluster.ids) cluster.restart(id)
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    for (const id of cluster.ids) expect(toHex(cluster.node(id).chain[0]!.certificate.blockHash)).to.equal(prepared)
  })

  it('a block prepared by a single replica does not bind the new view, but stays safe', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    // Only n0 sees the prepares, so only n0 is prepared; then the primary and its messages vanish.
    cluster.stabilize((message) => bodyOf(message).type === 'pre-prepare')
    cluster.stabilize((message) => bodyOf(message).type === 'prepare' && message.to === 'n0')
    cluster.drop()
    cluster.dropWhen = (message) => message.from === 'n1' || isCommit(message) && bodyOf(message).view === 0
    cluster.run(() => ['n0', 'n2', 'n3'].every((id) => cluster.node(id).height >= 2))
    const hashes = ['n0', 'n2', 'n3'].map((id) => toHex(cluster.node(id).chain[0]!.certificate.blockHash))
    expect(new Set(hashes).size).to.equal(1)
  })

  it('timeouts double per view so replicas with drifting views meet', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, timing: {viewTimeoutTicks: 4}})
    cluster.drop()
    cluster.dropWhen = () => true // nobody hears anybody: views only advance by timeouts
    const viewChangesAt: number[] = []
    for (let tick = 1; tick <= 4 + 8 + 16; tick++) {
      const before = cluster.engine('n0').status().round
      cluster.tick(['n0'])
      if (cluster.engine('n0').status().round > before) viewChangesAt.push(tick)
    }
    expect(viewChangesAt).to.deep.equal([4, 12, 28])
  })

  it('f+1 view-changes for a higher view pull a replica along before its own timeout', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, timing: {viewTimeoutTicks: 10}})
    cluster.drop()
    cluster.dropWhen = (message) => message.from === 'n1' // silent primary
    cluster.tick(['n2', 'n3'], 10) // only n2 and n3 time out
    expect(cluster.engine('n0').status().round).to.equal(0)
    cluster.deliver((message) => message.to === 'n0' && bodyOf(message).type === 'view-change')
    expect(cluster.engine('n0').status().round).to.equal(1)
  })

  it('a replica many views behind joins the others instead of waiting out its own timeouts', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, timing: {viewTimeoutTicks: 2, viewTimeoutBackoffMax: 2}})
    cluster.drop()
    cluster.dropWhen = (message) => message.from === 'n1' // a silent primary at view 0...
    cluster.crash('n0') // ...and n0 down: n2 and n3 alone cycle through views
    for (let tick = 0; cluster.engine('n2').status().round < 20; tick++) {
      cluster.tick(['n2', 'n3'])
      cluster.stabilize()
    }
    cluster.restart('n0')
    expect(cluster.engine('n0').status().round).to.equal(0)
    cluster.run(() => ['n0', 'n2', 'n3'].every((id) => cluster.node(id).height >= 1), 60)
    expect(cluster.node('n0').chain[0]!.certificate.round).to.be.at.least(20)
  })

  it('a new-view that does not re-propose the highest prepared block is rejected', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.stabilize((message) => !isCommit(message))
    const prepared = toHex((bodyOf(cluster.outbox.find(isCommit)!) as {digest: Uint8Array}).digest)
    cluster.drop()
    const newViews: Message[] = []
    cluster.dropWhen = (message) => {
      const body = bodyOf(message)
      if (body.type === 'new-view' && message.from === 'n2') newViews.push(message)
      return (body.type === 'commit' && body.view === 0) || (body.type === 'new-view' && message.from === 'n2')
    }
    cluster.run(() => newViews.length > 0)
    // n2, primary of view 1, swaps in a block of its own choosing, validly signed.
    const honest = decodePbftMessage(newViews[0]!.bytes) as SignedPbftMessage & {body: Extract<PbftBody, {type: 'new-view'}>}
    const n2 = cluster.keyring.cryptoFor('n2')
    const payload = cluster.node('n2').block(1, 999)
    const prePrepare = signPbftMessage(n2, {...honest.body.prePrepare.body, digest: sm3(payload)})
    const forged = encodePbftMessage(signPbftMessage(n2, {...honest.body, prePrepare}, payload))
    for (const id of ['n0', 'n3']) {
      cluster.engine(id).step('n2', forged)
      cluster.process(id)
    }
    const preparedForged = cluster.outbox.some((message) => {
      const body = bodyOf(message)
      return body.type === 'prepare' && toHex(body.digest) === toHex(sm3(payload))
    })
    expect(preparedForged).to.equal(false)
    cluster.run(() => cluster.heights().every((height) => height >= 1))
    for (const id of cluster.ids) expect(toHex(cluster.node(id).chain[0]!.certificate.blockHash)).to.equal(prepared)
  })
})
