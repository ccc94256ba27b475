/**
 * Clients waiting for txs are bounded (limits.ts "Queues"): per tx (TX_WAITERS_PER_TX_MAX) and in
 * all (TX_WAITERS_MAX); a flood beyond either is refused with UNAVAILABLE, the waiters already
 * admitted still get their answer, and waiting works again once they are answered.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../../../../src/core/bytes.js'
import {Chain} from '../../../../src/core/chain/chain.js'
import {parseGenesis} from '../../../../src/core/chain/genesis.js'
import {TxWaiters} from '../../../../src/core/chain/waiters.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {addressOf, createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {TX_WAITERS_PER_TX_MAX} from '../../../../src/core/limits.js'
import {nullLogger} from '../../../../src/core/log.js'
import {createTx} from '../../../../src/core/types/tx.js'

function codeOf(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    return error instanceof WichainError ? error.code : String(error)
  }
  return undefined
}

describe('core/chain tx waiters (bounded)', () => {
  it('refuses waiters for one tx beyond the per-tx bound, and in all beyond the total', async () => {
    const waiters = new TxWaiters<number>({waitersMax: 5, perTxMax: 3})
    const admitted = [waiters.wait('a', 60_000), waiters.wait('a', 60_000), waiters.wait('a', 60_000)]
    expect(codeOf(() => waiters.wait('a', 60_000))).to.equal('UNAVAILABLE')
    admitted.push(waiters.wait('b', 60_000), waiters.wait('c', 60_000))
    expect(codeOf(() => waiters.wait('d', 60_000))).to.equal('UNAVAILABLE')
    expect(waiters.size).to.equal(5)
    waiters.resolve('a', 7)
    waiters.resolve('b', 8)
    waiters.rejectAll()
    expect(await Promise.all(admitted.map((waiter) => waiter.promise))).to.deep.equal([7, 7, 7, 8, undefined])
    expect(waiters.size).to.equal(0)
    expect(codeOf(() => waiters.cancel('a', waiters.wait('a', 60_000)))).to.equal(undefined)
  })

  it('a chain flooded with waits for one tx answers the admitted ones when it commits and refuses the rest', async () => {
    const nodeKey = generateKeyPair()
    const userKey = generateKeyPair()
    const genesis = parseGenesis({
      version: 1,
      chainId: 'wi-wait',
      consensus: 'solo',
      timestamp: 1_700_000_000_000,
      validators: [{name: 'node0', publicKey: toHex(nodeKey.publicKey)}],
      accounts: [{name: 'user', role: 'user', publicKey: toHex(userKey.publicKey), address: addressOf(userKey.publicKey)}],
      params: {blockTxsMax: 10, blockIntervalMs: 1, txExpiryWindow: 1000, mempoolTxsMax: 50},
    })
    const directory = mkdtempSync(join(tmpdir(), 'wichain-waiters-'))
    let clock = 1_700_000_001_000
    const chain = await Chain.open({directory, genesis, nodeKey, logger: nullLogger, clock: () => clock, createEngine: (context) => createSoloEngine(context)})
    try {
      const tx = createTx({chainId: 'wi-wait', contract: 'evidence', method: 'put', args: {key: 'k', hash: 'c'.repeat(64)}, expiry: 900}, createSigner(userKey))
      await chain.submitTx(tx.bytes)
      const waits = Array.from({length: TX_WAITERS_PER_TX_MAX + 10}, () =>
        chain.waitForTx(tx.hashHex, 60_000).then(
          (location) => location?.height,
          (error: WichainError) => error.code,
        ),
      )
      for (let tick = 0; tick < 100 && (await chain.getTxLocation(tx.hashHex)) === undefined; tick++) {
        clock += 5
        await chain.tick()
      }
      const outcomes = await Promise.all(waits)
      expect(outcomes.filter((outcome) => outcome === 1)).to.have.length(TX_WAITERS_PER_TX_MAX)
      expect(outcomes.filter((outcome) => outcome === 'UNAVAILABLE')).to.have.length(10)
      // The waiters are gone: a committed tx is answered at once.
      expect(await chain.waitForTx(tx.hashHex, 60_000)).to.include({height: 1, status: 'ok'})
    } finally {
      await chain.close()
      rmSync(directory, {recursive: true, force: true})
    }
  })
})
