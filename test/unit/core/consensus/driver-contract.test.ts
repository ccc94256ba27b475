/**
 * Breaking the driver contract is a programmer error: every engine asserts (AssertionError, not a
 * WichainError) on `propose` of a block its application does not validate, on `reconfigure` of a
 * height already being decided, and on `advance` with another Ready than the last `ready()`.
 */
import {expect} from 'chai'
import {AssertionError} from '../../../../src/core/assert.js'
import type {ConsensusEngine} from '../../../../src/core/consensus/engine.js'
import {encodeSimBlock, GENESIS_HASH, simApplication} from '../../../../src/core/consensus/sim/application.js'
import {FakeKeyring} from '../../../../src/core/consensus/sim/crypto.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {Cluster} from './cluster.js'

/** An engine of each kind that has just asked its driver for the block of height 1. */
function askingEngines(): Array<{kind: string; engine: ConsensusEngine; valid: Uint8Array}> {
  const keyring = new FakeKeyring(['solo'], 5)
  const solo = createSoloEngine({crypto: keyring.cryptoFor('solo'), application: simApplication(() => GENESIS_HASH), validators: ['solo'], lastCommitted: {height: 0, blockHash: GENESIS_HASH}})
  solo.tick()
  solo.advance(solo.ready())
  const engines = [{kind: 'solo', engine: solo, valid: encodeSimBlock({height: 1, parent: GENESIS_HASH, proposer: 'solo', salt: 0, validators: undefined})}]
  for (const kind of ['pbft', 'raft'] as const) {
    const cluster = new Cluster({kind, validators: 1, manualProposers: ['n0']})
    cluster.run(() => cluster.node('n0').proposals.length > 0)
    engines.push({kind, engine: cluster.engine('n0'), valid: cluster.node('n0').block(1)})
  }
  return engines
}

describe('consensus: the driver contract is asserted', () => {
  for (const {kind, engine, valid} of askingEngines()) {
    describe(kind, () => {
      it('propose of a block the application does not validate is an assertion', () => {
        expect(() => engine.propose(1, new Uint8Array([0xde, 0xad]))).to.throw(AssertionError, /not valid/)
      })

      it('reconfigure of a height already being decided is an assertion', () => {
        const validators = engine.status().validators
        expect(() => engine.reconfigure(0, validators)).to.throw(AssertionError, /already/)
        expect(() => engine.reconfigure(engine.status().height - 1, validators)).to.throw(AssertionError)
        expect(() => engine.reconfigure(Number.NaN, validators)).to.throw(AssertionError)
      })

      it('advance with another Ready than the last ready() is an assertion', () => {
        engine.propose(1, valid)
        expect(engine.hasReady()).to.equal(true)
        const ready = engine.ready()
        expect(() => engine.advance({...ready})).to.throw(AssertionError, /last ready\(\) result/)
      })
    })
  }
})
