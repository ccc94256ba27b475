import {expect} from 'chai'
import {AssertionError} from '../../../../src/core/assert.js'
import {commitCertificateProblem} from '../../../../src/core/consensus/certificate.js'
import type {ConsensusEngine} from '../../../../src/core/consensus/engine.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {encodeSimBlock, GENESIS_HASH, simApplication} from '../../../../src/core/consensus/sim/application.js'
import {FakeKeyring} from '../../../../src/core/consensus/sim/crypto.js'

describe('solo', () => {
  const keyring = new FakeKeyring(['solo', 'other'], 3)
  let tip = GENESIS_HASH
  const block = (height: number) => encodeSimBlock({height, parent: tip, proposer: 'solo', salt: 0, validators: undefined})
  const create = (intervalTicks = 1): ConsensusEngine => {
    tip = GENESIS_HASH
    return createSoloEngine({
      crypto: keyring.cryptoFor('solo'),
      application: simApplication(() => tip),
      validators: ['solo'],
      lastCommitted: {height: 0, blockHash: GENESIS_HASH},
      proposeIntervalTicks: intervalTicks,
    })
  }

  it('asks for a block on tick and commits it at once with a one-signature certificate', () => {
    const engine = create()
    engine.tick()
    const ask = engine.ready()
    expect(ask.proposeHeight).to.equal(1)
    engine.advance(ask)
    engine.propose(1, block(1))
    const ready = engine.ready()
    expect(ready.committed).to.have.length(1)
    const certificate = ready.committed[0]!.certificate
    expect(certificate.kind).to.equal('solo')
    expect(commitCertificateProblem(certificate, ['solo'], keyring.verify.bind(keyring))).to.equal(undefined)
    expect(engine.status()).to.include({height: 1, role: 'leader'})
    tip = certificate.blockHash
    engine.advance(ready)
    expect(engine.status().height).to.equal(2)
  })

  it('waits for the driver to apply a block before asking for the next', () => {
    const engine = create()
    engine.tick()
    engine.advance(engine.ready())
    engine.propose(1, block(1))
    engine.tick()
    engine.tick()
    const ready = engine.ready()
    expect(ready.committed).to.have.length(1)
    expect(ready.proposeHeight).to.equal(undefined)
    tip = ready.committed[0]!.certificate.blockHash
    engine.advance(ready)
    engine.tick()
    expect(engine.ready().proposeHeight).to.equal(2)
  })

  it('respects the proposal interval and rejects an invalid block', () => {
    const engine = create(3)
    engine.tick()
    engine.tick()
    expect(engine.hasReady()).to.equal(false)
    engine.tick()
    expect(engine.ready().proposeHeight).to.equal(1)
    expect(() => engine.propose(1, new Uint8Array([1, 2]))).to.throw(AssertionError, /not valid/)
  })

  it('accepts a synced block only with a valid certificate', () => {
    const source = create()
    source.tick()
    source.advance(source.ready())
    source.propose(1, block(1))
    const committed = source.ready().committed[0]!
    const engine = create()
    expect(engine.stepCommitted({...committed, certificate: {...committed.certificate, signatures: [{signer: 'other', signature: committed.certificate.signatures[0]!.signature}]}})).to.equal(false)
    expect(engine.stepCommitted(committed)).to.equal(true)
    expect(engine.ready().committed).to.deep.equal([committed])
  })
})
