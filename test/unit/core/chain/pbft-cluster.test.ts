/**
 * Four Chains driven in-process by the PBFT engine over a direct in-memory network: the driver
 * (persist → send → apply), tx forwarding and proposal flow, without sockets or processes.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../../../../src/core/bytes.js'
import {Chain} from '../../../../src/core/chain/chain.js'
import {parseGenesis, type Genesis} from '../../../../src/core/chain/genesis.js'
import {createPbftEngine} from '../../../../src/core/consensus/pbft/index.js'
import {addressOf, createSigner, generateKeyPair, type KeyPair} from '../../../../src/core/crypto/index.js'
import {nullLogger} from '../../../../src/core/log.js'
import {createTx} from '../../../../src/core/types/tx.js'

describe('core/chain with PBFT: a 4-node cluster in one process', function () {
  this.timeout(60_000)
  const nodeKeys: KeyPair[] = Array.from({length: 4}, () => generateKeyPair())
  const userKey = generateKeyPair()
  const signer = createSigner(userKey)
  let directory: string
  let clock = 1_700_000_001_000
  let chains: Chain[] = []
  const inbox: Array<() => Promise<void>> = []
  /** Nodes that tick and receive; the others are "not started yet". */
  let online = new Set([0, 1, 2, 3])

  const genesis: Genesis = parseGenesis({
    version: 1,
    chainId: 'wi-pbft',
    consensus: 'pbft',
    timestamp: 1_700_000_000_000,
    validators: nodeKeys.map((key, index) => ({name: `node${index}`, publicKey: toHex(key.publicKey)})),
    accounts: [{name: 'user', role: 'user', publicKey: toHex(userKey.publicKey), address: addressOf(userKey.publicKey)}],
    params: {blockTxsMax: 100, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 1000},
  })
  const ids = nodeKeys.map((key) => toHex(key.publicKey))

  async function openAll(): Promise<void> {
    chains = await Promise.all(
      nodeKeys.map((nodeKey, index) =>
        Chain.open({
          directory: join(directory, `node${index}`),
          genesis,
          nodeKey,
          logger: nullLogger,
          // Every read moves the clock, as a real one does: a driver must read it once per decision.
          clock: () => (clock += 1),
          createEngine: (context) => createPbftEngine(context),
          tickWhenIdle: false,
          send: (to, bytes) => {
            for (const [target, chain] of chains.entries()) {
              if (target === index || !online.has(target) || (to !== 'broadcast' && to !== ids[target])) continue
              inbox.push(() => chain.step(ids[index]!, bytes))
            }
          },
          onTxAdmitted: (tx) => {
            for (const [target, chain] of chains.entries()) if (target !== index) inbox.push(() => chain.submitTx(tx.bytes, {fromPeer: true}).then(() => undefined))
          },
        }),
      ),
    )
  }

  async function run(rounds: number, until: () => Promise<boolean> | boolean): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      if (await until()) return
      clock += 100
      for (const [index, chain] of chains.entries()) if (online.has(index)) await chain.tick()
      while (inbox.length > 0) await inbox.shift()!()
    }
    throw new Error(`not reached in ${rounds} rounds; heights ${chains.map((chain) => chain.head().height).join(',')}`)
  }

  beforeEach(async () => {
    online = new Set([0, 1, 2, 3])
    directory = mkdtempSync(join(tmpdir(), 'wichain-pbft-'))
    await openAll()
  })
  afterEach(async () => {
    for (const chain of chains) await chain.close()
    rmSync(directory, {recursive: true, force: true})
  })

  const put = (key: string) => createTx({chainId: 'wi-pbft', contract: 'evidence', method: 'put', args: {key, hash: 'f'.repeat(64)}, expiry: 90}, signer)

  it('commits a tx submitted to any node, on every node, with the same hashes', async () => {
    for (const [index, chain] of chains.entries()) {
      const tx = put(`k${index}`)
      await chain.submitTx(tx.bytes)
      await run(200, async () => (await Promise.all(chains.map((each) => each.getTxLocation(tx.hashHex)))).every((found) => found !== undefined))
    }
    const heads = chains.map((chain) => toHex(chain.head().hash))
    expect(new Set(heads).size).to.equal(1)
  })

  it('commits a tx that arrives after a long idle period', async () => {
    await run(300, () => false).catch(() => undefined)
    const tx = put('late')
    await chains[1]!.submitTx(tx.bytes)
    await run(400, async () => (await Promise.all(chains.map((each) => each.getTxLocation(tx.hashHex)))).every((found) => found !== undefined))
  })

  it('commits promptly when nodes start one after another, long apart (no idle view churn)', async () => {
    for (const started of [[0], [0, 1], [0, 1, 2]]) {
      online = new Set(started)
      await run(200, () => false).catch(() => undefined)
    }
    online = new Set([0, 1, 2, 3])
    const tx = put('staggered')
    await chains[1]!.submitTx(tx.bytes)
    await run(60, async () => (await Promise.all(chains.map((each) => each.getTxLocation(tx.hashHex)))).every((found) => found !== undefined))
  })
})
