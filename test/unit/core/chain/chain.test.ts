/**
 * Chain driven in-process with the solo engine: admission, proposal, commit, waiters, proofs,
 * and a close/reopen that keeps every block and the state.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../../../../src/core/bytes.js'
import {Chain} from '../../../../src/core/chain/chain.js'
import type {Genesis} from '../../../../src/core/chain/genesis.js'
import {verifyTxCertificate} from '../../../../src/core/chain/tx-certificate.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {createSigner, generateKeyPair, type KeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {nullLogger} from '../../../../src/core/log.js'
import {createTx} from '../../../../src/core/types/tx.js'
import {soloGenesis} from './fixtures.js'

function makeGenesis(nodeKey: KeyPair, user: KeyPair): Genesis {
  return soloGenesis(nodeKey, user, 'wi-unit', {blockTxsMax: 3, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 10})
}

describe('core/chain/chain (solo, in-process)', () => {
  const nodeKey = generateKeyPair()
  const userKey = generateKeyPair()
  const signer = createSigner(userKey)
  const genesis = makeGenesis(nodeKey, userKey)
  let directory: string
  let clock = 1_700_000_001_000

  const open = () =>
    Chain.open({directory, genesis, nodeKey, logger: nullLogger, clock: () => clock, createEngine: (context) => createSoloEngine(context)})

  const put = (key: string) => createTx({chainId: 'wi-unit', contract: 'evidence', method: 'put', args: {key, hash: 'c'.repeat(64)}, expiry: 50}, signer)

  async function tickUntil(chain: Chain, done: () => boolean | Promise<boolean>, ticksMax = 100): Promise<void> {
    for (let i = 0; i < ticksMax; i++) {
      if (await done()) return
      clock += 5
      await chain.tick()
    }
    throw new Error('condition not reached')
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'wichain-chain-'))
  })
  afterEach(() => rmSync(directory, {recursive: true, force: true}))

  it('commits admitted txs in blocks of at most blockTxsMax, in arrival order', async () => {
    const chain = await open()
    try {
      expect(chain.head().height).to.equal(0)
      const txs = ['a', 'b', 'c', 'd', 'e'].map(put)
      for (const tx of txs) await chain.submitTx(tx.bytes)
      await tickUntil(chain, async () => (await chain.getTxLocation(txs[4]!.hashHex)) !== undefined)
      const first = await chain.getBlock(1)
      expect(first!.txs.map((tx) => tx.hashHex)).to.deep.equal(txs.slice(0, 3).map((tx) => tx.hashHex))
      expect((await chain.getBlock(2))!.txs).to.have.length(2)
      expect(chain.status().mempool.txs).to.equal(0)
      expect(chain.query('evidence', 'get', {key: 'd'})).to.include({key: 'd', txHash: txs[3]!.hashHex})
    } finally {
      await chain.close()
    }
  })

  it('resolves waiters on commit and exports a certificate that verifies offline', async () => {
    const chain = await open()
    try {
      const tx = put('wait')
      await chain.submitTx(tx.bytes)
      const waiting = chain.waitForTx(tx.hashHex, 5_000)
      await tickUntil(chain, () => !chain.isPending(tx.hashHex))
      const location = await waiting
      expect(location).to.include({txHash: tx.hashHex, height: 1, index: 0, status: 'ok'})
      const certificate = await chain.getTxCertificate(tx.hashHex)
      expect(verifyTxCertificate(certificate, genesis)).to.include({valid: true, txHash: tx.hashHex})
    } finally {
      await chain.close()
    }
  })

  it('refuses replays, pending or committed', async () => {
    const chain = await open()
    try {
      const tx = put('replay')
      await chain.submitTx(tx.bytes)
      await expectCode(chain.submitTx(tx.bytes), 'DUPLICATE_TX')
      await tickUntil(chain, () => !chain.isPending(tx.hashHex))
      await expectCode(chain.submitTx(tx.bytes), 'DUPLICATE_TX')
    } finally {
      await chain.close()
    }
  })

  it('keeps blocks, state and head across close and reopen', async () => {
    let chain = await open()
    const tx = put('persist')
    await chain.submitTx(tx.bytes)
    await tickUntil(chain, () => !chain.isPending(tx.hashHex))
    const head = chain.head()
    await chain.close()
    chain = await open()
    try {
      expect(chain.head().height).to.equal(head.height)
      expect(toHex(chain.head().hash)).to.equal(toHex(head.hash))
      expect(chain.query('evidence', 'get', {key: 'persist'})).to.include({txHash: tx.hashHex})
      const next = put('after-reopen')
      await chain.submitTx(next.bytes)
      await tickUntil(chain, () => !chain.isPending(next.hashHex))
      expect((await chain.getTxLocation(next.hashHex))!.height).to.equal(head.height + 1)
    } finally {
      await chain.close()
    }
  })

  it('refuses to open a store that belongs to another genesis', async () => {
    const chain = await open()
    await chain.close()
    const other = makeGenesis(generateKeyPair(), userKey)
    await expectCode(Chain.open({directory, genesis: other, nodeKey, logger: nullLogger, createEngine: (context) => createSoloEngine(context)}), 'CORRUPT_DATA')
  })
})

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    expect((error as WichainError).code).to.equal(code)
    return
  }
  throw new Error(`expected ${code}`)
}
