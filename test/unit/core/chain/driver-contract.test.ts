/**
 * A broken driver contract is a programmer error, not an operating error: the engine asserts, and
 * when the assertion fires while the chain steps a message, the chain halts (fail-stop) with an
 * INTERNAL fault that does not resume — it refuses txs with CHAIN_HALTED, keeps answering reads,
 * and is not driven again.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Chain} from '../../../../src/core/chain/chain.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import type {Logger} from '../../../../src/core/log.js'
import {createTx} from '../../../../src/core/types/tx.js'
import {soloGenesis} from './fixtures.js'

describe('core/chain: a driver-contract assertion during a step halts the chain (INTERNAL)', () => {
  const nodeKey = generateKeyPair()
  const userKey = generateKeyPair()
  const genesis = soloGenesis(nodeKey, userKey, 'wi-contract', {blockTxsMax: 10, blockIntervalMs: 1, txExpiryWindow: 1000, mempoolTxsMax: 50})
  let directory: string
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'wichain-contract-'))))
  afterEach(() => rmSync(directory, {recursive: true, force: true}))

  it('halts with an INTERNAL, non-resumable fault naming the assertion', async () => {
    const errors: Array<{message: string; context?: Record<string, unknown>}> = []
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (message, context) => void errors.push({message, context}),
      child: () => logger,
    }
    let steps = 0
    let clock = 1_700_000_001_000
    const chain = await Chain.open({
      directory,
      genesis,
      nodeKey,
      logger,
      clock: () => clock,
      // An engine whose message handling breaks the driver contract: it reconfigures a height
      // already decided (as a driver bug would), which the engine asserts against.
      createEngine: (context) => {
        const engine = createSoloEngine(context)
        engine.step = () => {
          steps++
          engine.reconfigure(engine.status().height - 1, engine.status().validators)
        }
        return engine
      },
    })
    try {
      const tx = createTx({chainId: 'wi-contract', contract: 'evidence', method: 'put', args: {key: 'before', hash: 'c'.repeat(64)}, expiry: 900}, createSigner(userKey))
      await chain.submitTx(tx.bytes)
      for (let tick = 0; tick < 50 && (await chain.getTxLocation(tx.hashHex)) === undefined; tick++) {
        clock += 5
        await chain.tick()
      }
      // The step does not reject (no caller retries a fault): the chain halts instead.
      await chain.step('ab'.repeat(65), new Uint8Array([1]))
      const halt = chain.halted()
      expect(halt).to.include({code: 'INTERNAL', resumable: false, height: 1})
      expect(halt!.reason).to.match(/^AssertionError: assertion failed: cannot change the validators/)
      expect(chain.status()).to.include({state: 'halted'})
      expect(chain.status().faults).to.deep.equal({INTERNAL: 1})
      expect(errors.filter((line) => line.message === 'chain halted')).to.have.length(1)

      // Not driven again; txs refused; reads answered.
      await chain.step('ab'.repeat(65), new Uint8Array([2]))
      await chain.tick()
      expect(steps).to.equal(1)
      const next = createTx({chainId: 'wi-contract', contract: 'evidence', method: 'put', args: {key: 'after', hash: 'c'.repeat(64)}, expiry: 900}, createSigner(userKey))
      const refused = await chain.submitTx(next.bytes).then(() => undefined, (error: WichainError) => error)
      expect(refused?.code).to.equal('CHAIN_HALTED')
      expect(await chain.getTxLocation(tx.hashHex)).to.include({height: 1, status: 'ok'})
      expect(chain.head().height).to.equal(1)
    } finally {
      await chain.close()
    }
  })
})
