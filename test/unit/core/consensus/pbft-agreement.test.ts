import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {decodePbftMessage, encodePbftMessage, signPbftMessage, type PbftBody} from '../../../../src/core/consensus/pbft/index.js'
import {decodeSimBlock} from '../../../../src/core/consensus/sim/application.js'
import {Cluster, type Message} from './cluster.js'

const typeOf = (message: Message): PbftBody['type'] => decodePbftMessage(message.bytes).body.type
const notCommit = (message: Message): boolean => typeOf(message) !== 'commit'

describe('pbft: normal-case agreement', () => {
  it('the primary of (height, view) is validators[(height + view) % n]', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    expect(cluster.ids.map((id) => cluster.node(id).proposals)).to.deep.equal([[], [1], [], []])
    cluster.run(() => cluster.heights().every((height) => height >= 2))
    expect(cluster.node('n2').proposals).to.include(2)
    expect(decodeSimBlock(cluster.node('n0').chain[1]!.payload)!.proposer).to.equal('n2')
  })

  it('a replica commits after 2f+1 commits, not before', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.stabilize(notCommit) // pre-prepare and prepares everywhere; commits held back
    const commitsTo = (to: string, from: string) => (message: Message) => message.to === to && message.from === from && typeOf(message) === 'commit'
    cluster.deliver(commitsTo('n0', 'n1'))
    expect(cluster.node('n0').height, 'own + 1 commit').to.equal(0)
    cluster.deliver(commitsTo('n0', 'n2'))
    expect(cluster.node('n0').height, 'own + 2 commits = 2f+1').to.equal(1)
    const certificate = cluster.node('n0').chain[0]!.certificate
    expect(certificate.kind).to.equal('pbft')
    expect(certificate.signatures.map((signature) => signature.signer).sort()).to.deep.equal(['n0', 'n1', 'n2'])
  })

  it('all replicas commit the same blocks, one height at a time', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.run(() => cluster.heights().every((height) => height >= 5))
    const hashes = (id: string) => cluster.node(id).chain.slice(0, 5).map((block) => toHex(block.certificate.blockHash))
    for (const id of cluster.ids) expect(hashes(id)).to.deep.equal(hashes('n0'))
  })

  it('a commit from a non-validator or with a bad signature is not counted', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, observers: 1})
    cluster.stabilize(notCommit)
    const commitFrom = (from: string) => cluster.outbox.find((message) => message.to === 'n0' && message.from === from && typeOf(message) === 'commit')!
    cluster.deliver((message) => message === commitFrom('n1'))
    const genuine = decodePbftMessage(commitFrom('n2').bytes)
    const tampered = {...genuine, signature: genuine.signature.map((byte, index) => (index === 0 ? byte ^ 1 : byte))}
    const outsider = signPbftMessage(cluster.keyring.cryptoFor('n4'), {...genuine.body, signer: 'n4'})
    for (const forged of [tampered, outsider]) cluster.engine('n0').step('n2', encodePbftMessage(forged))
    cluster.process('n0')
    expect(cluster.node('n0').height).to.equal(0)
    cluster.deliver((message) => message === commitFrom('n2'))
    expect(cluster.node('n0').height).to.equal(1)
  })

  it('an equivocating primary cannot get two blocks committed at one height', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.drop() // n1's honest proposal never leaves
    const primary = cluster.keyring.cryptoFor('n1')
    const proposal = (salt: number) => {
      const payload = cluster.node('n1').block(1, salt)
      return encodePbftMessage(signPbftMessage(primary, {type: 'pre-prepare', height: 1, view: 0, signer: 'n1', digest: sm3(payload)}, payload))
    }
    cluster.engine('n0').step('n1', proposal(100))
    for (const id of ['n2', 'n3']) cluster.engine(id).step('n1', proposal(200))
    for (const id of cluster.ids) cluster.process(id)
    cluster.dropWhen = (message) => message.from === 'n1' // the primary goes silent after equivocating
    cluster.run(() => ['n0', 'n2', 'n3'].every((id) => cluster.node(id).height >= 2))
    const first = (id: string) => toHex(cluster.node(id).chain[0]!.certificate.blockHash)
    expect(first('n2')).to.equal(first('n0'))
    expect(first('n3')).to.equal(first('n0'))
  })

  it('a restarted replica does not prepare a second block in the view it prepared in', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.node('n1').autoPropose = false
    cluster.drop()
    const primary = cluster.keyring.cryptoFor('n1')
    const prePrepare = (salt: number) => {
      const payload = cluster.node('n1').block(1, salt)
      return {bytes: encodePbftMessage(signPbftMessage(primary, {type: 'pre-prepare', height: 1, view: 0, signer: 'n1', digest: sm3(payload)}, payload)), digest: toHex(sm3(payload))}
    }
    const first = prePrepare(1)
    cluster.engine('n0').step('n1', first.bytes)
    cluster.process('n0')
    cluster.crash('n0')
    cluster.restart('n0')
    const second = prePrepare(2)
    cluster.engine('n0').step('n1', second.bytes)
    cluster.process('n0')
    cluster.tick(['n0'], 10) // rebroadcasts
    const prepared = cluster.outbox
      .filter((message) => message.from === 'n0' && typeOf(message) === 'prepare')
      .map((message) => toHex((decodePbftMessage(message.bytes).body as {digest: Uint8Array}).digest))
    expect(prepared.length).to.be.greaterThan(3)
    expect(new Set(prepared)).to.deep.equal(new Set([first.digest]))
  })

  it('garbage and replayed bytes are ignored without throwing', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    const replay = cluster.outbox[0]!.bytes
    for (const bytes of [new Uint8Array(0), new Uint8Array([0xa1, 0x61, 0x62]), new Uint8Array(300).fill(7), replay, replay]) {
      cluster.engine('n0').step('n3', bytes)
    }
    cluster.run(() => cluster.heights().every((height) => height >= 1))
  })
})
