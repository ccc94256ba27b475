import {expect} from 'chai'
import type {ConsensusEngine, Ready} from '../../../../src/core/consensus/engine.js'
import {createPbftEngine} from '../../../../src/core/consensus/pbft/index.js'
import {createSm2ConsensusCrypto} from '../../../../src/core/consensus/sm2-crypto.js'
import {decodeSimBlock, encodeSimBlock, GENESIS_HASH} from '../../../../src/core/consensus/sim/application.js'
import {FakeKeyring, InvariantViolation, runSimulation, SafetyChecker, SimRandom, SimulationFailure} from '../../../../src/core/consensus/sim/index.js'
import {pbftCommitSignBytes} from '../../../../src/core/consensus/certificate.js'
import {generateKeyPair} from '../../../../src/core/crypto/sm2.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'

describe('consensus simulator', () => {
  it('its PRNG replays from the seed and forks into independent streams', () => {
    const draw = (random: SimRandom) => Array.from({length: 5}, () => random.nextUint32())
    expect(draw(new SimRandom(42))).to.deep.equal(draw(new SimRandom(42)))
    expect(draw(new SimRandom(42))).to.not.deep.equal(draw(new SimRandom(43)))
    const random = new SimRandom(9)
    for (let i = 0; i < 1000; i++) expect(random.between(3, 5)).to.be.within(3, 5)
    const a = new SimRandom(1)
    const forked = a.fork()
    expect(draw(forked)).to.not.deep.equal(draw(a))
  })

  it('the checker flags two different blocks at one height and a certificate that does not verify', () => {
    const keyring = new FakeKeyring(['a', 'b', 'c', 'd'], 1)
    const checker = new SafetyChecker(['a', 'b', 'c', 'd'], 'pbft', keyring.verify.bind(keyring), sm3)
    const block = (salt: number, signers: string[]) => {
      const payload = encodeSimBlock({height: 1, parent: GENESIS_HASH, proposer: 'a', salt, validators: undefined})
      const blockHash = sm3(payload)
      const signatures = signers.map((signer) => ({signer, signature: keyring.cryptoFor(signer).sign(pbftCommitSignBytes(1, 0, blockHash))}))
      return {height: 1, payload, certificate: {kind: 'pbft' as const, height: 1, round: 0, blockHash, signatures}}
    }
    const genesis = {height: 0, hash: GENESIS_HASH}
    checker.onApply('a', block(1, ['a', 'b', 'c']), genesis)
    checker.onApply('b', block(1, ['b', 'c', 'd']), genesis)
    expect(() => checker.onApply('c', block(2, ['a', 'b', 'c']), genesis)).to.throw(InvariantViolation, /SAFETY: height 1/)
    expect(() => checker.onApply('d', block(1, ['a', 'b']), genesis)).to.throw(InvariantViolation, /does not verify/)
  })

  it('a run is a pure function of its seed', () => {
    const options = {seed: 5, engine: 'pbft' as const, validators: 4, byzantine: 1, faultTicks: 150, targetHeight: 6}
    expect(runSimulation(options)).to.deep.equal(runSimulation(options))
  })

  it('a failing run names its seed, its options and its fault schedule', () => {
    const options = {seed: 42, engine: 'raft' as const, validators: 4, faultTicks: 100, livenessTicks: 5, targetHeight: 1000}
    try {
      runSimulation(options)
      expect.fail('should not reach the target')
    } catch (error) {
      expect(error).to.be.instanceOf(SimulationFailure)
      const message = (error as Error).message
      expect(message).to.include('seed 42').and.include('LIVENESS').and.include('replay: runSimulation({"seed":42')
      expect(message).to.match(/faults: (none|t=\d+ )/)
    }
  })

  it('catches an engine that hands the driver a block its certificate does not cover', () => {
    const tampering = (engine: ConsensusEngine): ConsensusEngine =>
      Object.assign(Object.create(engine) as ConsensusEngine, {
        ready(): Ready {
          const ready = engine.ready()
          const committed = ready.committed.map((block) => {
            const content = decodeSimBlock(block.payload)!
            return {...block, payload: encodeSimBlock({...content, salt: content.salt + 1000})}
          })
          return committed.length === 0 ? ready : {...ready, committed}
        },
        advance: (ready: Ready) => engine.advance(ready),
      })
    const run = () =>
      runSimulation({
        seed: 3,
        engine: 'pbft',
        validators: 4,
        partitions: false,
        crashes: false,
        engineFactory: (input, self) => {
          const engine = createPbftEngine({...input})
          return self === 'n2' ? tampering(engine) : engine
        },
      })
    expect(run).to.throw(SimulationFailure, /names another block|SAFETY/)
  })

  it('runs with real SM2 signatures plugged in', function () {
    this.timeout(30_000)
    const keys = Array.from({length: 4}, () => createSm2ConsensusCrypto(generateKeyPair()))
    const result = runSimulation({
      seed: 11,
      engine: 'pbft',
      validators: 4,
      faultTicks: 0,
      targetHeight: 2,
      partitions: false,
      crashes: false,
      network: {dropRate: 0, duplicateRate: 0},
      createCrypto: (index) => keys[index]!,
    })
    expect(Object.values(result.heights).every((height) => height >= 2)).to.equal(true)
    expect(Object.keys(result.heights)[0]).to.have.length(130)
  })
})
