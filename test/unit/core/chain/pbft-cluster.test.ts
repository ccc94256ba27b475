/**
 * Four Chains driven in-process by the PBFT engine over a direct in-memory network: the driver
 * (persist → send → apply), tx forwarding and proposal flow, without sockets or processes.
 */
import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {parseGenesis, type Genesis} from '../../../../src/core/chain/genesis.js'
import {addressOf, createSigner, generateKeyPair, type KeyPair} from '../../../../src/core/crypto/index.js'
import {createTx} from '../../../../src/core/types/tx.js'
import {LoopbackCluster} from './cluster-fixture.js'

describe('core/chain with PBFT: a 4-node cluster in one process', function () {
  this.timeout(60_000)
  const nodeKeys: KeyPair[] = Array.from({length: 4}, () => generateKeyPair())
  const userKey = generateKeyPair()
  const signer = createSigner(userKey)
  let cluster: LoopbackCluster

  const genesis: Genesis = parseGenesis({
    version: 1,
    chainId: 'wi-pbft',
    consensus: 'pbft',
    timestamp: 1_700_000_000_000,
    validators: nodeKeys.map((key, index) => ({name: `node${index}`, publicKey: toHex(key.publicKey)})),
    accounts: [{name: 'user', role: 'user', publicKey: toHex(userKey.publicKey), address: addressOf(userKey.publicKey)}],
    params: {blockTxsMax: 100, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 1000},
  })

  beforeEach(async () => {
    cluster = new LoopbackCluster(genesis, nodeKeys)
    await cluster.openAll()
  })
  afterEach(() => cluster.close())

  const put = (key: string) => createTx({chainId: 'wi-pbft', contract: 'evidence', method: 'put', args: {key, hash: 'f'.repeat(64)}, expiry: 90}, signer)

  it('commits a tx submitted to any node, on every node, with the same hashes', async () => {
    for (const [index, chain] of cluster.chains.entries()) {
      const tx = put(`k${index}`)
      await chain.submitTx(tx.bytes)
      await cluster.run(200, () => cluster.committedEverywhere(tx.hashHex))
    }
    const heads = cluster.chains.map((chain) => toHex(chain.head().hash))
    expect(new Set(heads).size).to.equal(1)
  })

  it('replicas that never got the forwarded txs fetch what a compact proposal names', async () => {
    cluster.notForwardedTo = new Set([2, 3])
    const txs = [put('fetch-a'), put('fetch-b'), put('fetch-c')]
    for (const tx of txs) await cluster.chains[1]!.submitTx(tx.bytes)
    await cluster.run(400, async () => (await Promise.all(txs.map((tx) => cluster.committedEverywhere(tx.hashHex)))).every(Boolean))
    expect(cluster.fetches).to.be.greaterThan(0)
    expect(new Set(cluster.chains.map((chain) => toHex(chain.head().hash))).size).to.equal(1)
  })

  it('commits a tx that arrives after a long idle period', async () => {
    await cluster.run(300, () => false).catch(() => undefined)
    const tx = put('late')
    await cluster.chains[1]!.submitTx(tx.bytes)
    await cluster.run(400, () => cluster.committedEverywhere(tx.hashHex))
  })

  it('commits promptly when nodes start one after another, long apart (no idle view churn)', async () => {
    for (const started of [[0], [0, 1], [0, 1, 2]]) {
      cluster.online = new Set(started)
      await cluster.run(200, () => false).catch(() => undefined)
    }
    cluster.online = new Set([0, 1, 2, 3])
    const tx = put('staggered')
    await cluster.chains[1]!.submitTx(tx.bytes)
    await cluster.run(60, () => cluster.committedEverywhere(tx.hashHex))
  })
})
