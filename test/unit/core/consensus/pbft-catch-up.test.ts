import {expect} from 'chai'
import {AssertionError} from '../../../../src/core/assert.js'
import {toHex} from '../../../../src/core/bytes.js'
import {decodePbftMessage, type PbftEngine} from '../../../../src/core/consensus/pbft/index.js'
import {Cluster, cutOff} from './cluster.js'

describe('pbft: catching up, checkpoints and membership', () => {
  it('a replica that missed a few heights is sent the committed blocks by its peers', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.dropWhen = cutOff('n3')
    cluster.run(() => cluster.node('n0').height >= 3)
    expect(cluster.node('n3').height).to.equal(0)
    cluster.dropWhen = undefined
    cluster.run(() => cluster.node('n3').height >= 3) // no block sync: the test never feeds stepCommitted
  })

  it('a replica far behind asks for block sync and accepts only certified blocks', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    cluster.dropWhen = cutOff('n3')
    cluster.run(() => cluster.node('n0').height >= 8)
    cluster.dropWhen = (message) => message.to !== 'n3' // n3 only listens
    cluster.run(() => cluster.node('n3').syncRequests.length > 0, 50)
    const request = cluster.node('n3').syncRequests[0]!
    expect(request.fromHeight).to.equal(1)
    expect(request.toHeight).to.be.at.least(6)
    const genuine = cluster.node('n0').chain[0]!
    const wrongSigner = {...genuine, certificate: {...genuine.certificate, signatures: genuine.certificate.signatures.slice(1)}}
    const otherBlock = {...genuine, payload: cluster.node('n3').block(1, 4242)}
    expect(cluster.engine('n3').stepCommitted(wrongSigner), 'too few signatures').to.equal(false)
    expect(cluster.engine('n3').stepCommitted(otherBlock), 'certificate of another block').to.equal(false)
    expect(cluster.syncFrom('n0', 'n3')).to.equal(cluster.node('n0').height)
    expect(toHex(cluster.node('n3').tipHash())).to.equal(toHex(cluster.node('n0').tipHash()))
  })

  it('a stable checkpoint forms from 2f+1 matching checkpoint signatures', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, timing: {checkpointInterval: 2}})
    cluster.run(() => cluster.heights().every((height) => height >= 5))
    for (const id of cluster.ids) expect((cluster.engine(id) as PbftEngine).stableCheckpoint()).to.be.at.least(4)
  })

  it('checkpoints signed by fewer than 2f+1 validators do not become stable', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, timing: {checkpointInterval: 2}})
    cluster.dropWhen = (message) => ['n2', 'n3'].includes(message.from) && decodePbftMessage(message.bytes).body.type === 'checkpoint'
    cluster.run(() => cluster.heights().every((height) => height >= 5))
    expect((cluster.engine('n0') as PbftEngine).stableCheckpoint()).to.equal(0)
    expect((cluster.engine('n2') as PbftEngine).stableCheckpoint()).to.be.at.least(4)
  })

  it('a validator added by a config block votes from the next height on', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, observers: 1, manualProposers: ['n1']})
    cluster.configAt = {height: 1, validators: cluster.ids}
    cluster.engine('n1').propose(1, cluster.node('n1').block(1, 0, cluster.ids))
    cluster.node('n1').autoPropose = true
    cluster.process('n1')
    cluster.run(() => cluster.heights().every((height) => height >= 6))
    const status = cluster.engine('n4').status()
    expect(status.validators).to.deep.equal(cluster.ids)
    expect(status.role).to.not.equal('observer')
    const signers = cluster.node('n0').chain.slice(1, 6).map((block) => block.certificate.signatures.length)
    for (const count of signers) expect(count, 'quorum of 5 is 4').to.be.at.least(4)
    expect(cluster.node('n4').chain.slice(1).some((block) => block.certificate.signatures.some((s) => s.signer === 'n4'))).to.equal(true)
  })

  it('reconfiguring a height already being decided is refused', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4})
    expect(() => cluster.engine('n0').reconfigure(1, ['n0'])).to.throw(AssertionError, /already being decided/)
  })

  it('a replica restarted from its persisted state keeps its height, view and vote', () => {
    const cluster = new Cluster({kind: 'pbft', validators: 4, timing: {viewTimeoutTicks: 5}})
    cluster.run(() => cluster.heights().every((height) => height >= 2))
    cluster.drop()
    cluster.dropWhen = () => true
    cluster.tick(['n0'], 5 + 10) // two view changes, alone
    const before = cluster.engine('n0').status()
    cluster.crash('n0')
    cluster.restart('n0')
    expect(cluster.engine('n0').status()).to.deep.equal(before)
    cluster.dropWhen = undefined
    cluster.run(() => cluster.heights().every((height) => height >= 4))
  })
})
