/**
 * A PBFT chain whose node set changes (shared by the membership and header-sync tests): four
 * genesis validators commit a tx; node4 is added, syncs, and its vote commits the next block
 * (node3 down); node3 is removed; three validators commit a last tx.
 */
import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import type {Chain} from '../../../../src/core/chain/chain.js'
import {parseGenesis, type Genesis} from '../../../../src/core/chain/genesis.js'
import {addressOf, createSigner, generateKeyPair, type KeyPair, type Signer} from '../../../../src/core/crypto/index.js'
import {createTx, type Tx} from '../../../../src/core/types/tx.js'
import {LoopbackCluster} from './cluster-fixture.js'

export type Step = 'before' | 'add' | 'voted' | 'remove' | 'after'
export const STEPS: readonly Step[] = ['before', 'add', 'voted', 'remove', 'after']

export interface ChangingChain {
  readonly cluster: LoopbackCluster
  readonly chains: Chain[]
  readonly genesis: Genesis
  readonly document: Record<string, unknown>
  readonly nodeKeys: readonly KeyPair[]
  readonly ids: readonly string[]
  readonly admin: Signer
  readonly user: Signer
  readonly heights: Readonly<Record<Step, number>>
  readonly txs: Readonly<Record<Step, Tx>>
  account(name: string, role: string, signer: Signer): Record<string, string>
}

export async function buildChangingChain(chainId: string): Promise<ChangingChain> {
  const nodeKeys = Array.from({length: 5}, () => generateKeyPair())
  const ids = nodeKeys.map((key) => toHex(key.publicKey))
  const admin = createSigner(generateKeyPair())
  const user = createSigner(generateKeyPair())
  const account = (name: string, role: string, signer: Signer) => ({name, role, publicKey: toHex(signer.publicKey), address: addressOf(signer.publicKey)})
  const document = {
    version: 1,
    chainId,
    consensus: 'pbft',
    timestamp: 1_700_000_000_000,
    validators: nodeKeys.slice(0, 4).map((key, index) => ({name: `node${index}`, publicKey: toHex(key.publicKey)})),
    accounts: [account('admin', 'orgadmin', admin), account('user', 'user', user)],
    params: {blockTxsMax: 100, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 1000},
  }
  const genesis = parseGenesis(document)
  const cluster = new LoopbackCluster(genesis, nodeKeys)
  await cluster.openAll()
  const chains = cluster.chains
  const heights = {} as Record<Step, number>
  const txs = {} as Record<Step, Tx>
  const commit = async (step: Step, signer: Signer, contract: string, method: string, args: unknown): Promise<void> => {
    const tx = createTx({chainId, contract, method, args, expiry: chains[0]!.head().height + 90}, signer)
    await chains[0]!.submitTx(tx.bytes)
    await cluster.run(300, () => cluster.committedEverywhere(tx.hashHex))
    const location = (await chains[0]!.getTxLocation(tx.hashHex))!
    expect(location.status).to.equal('ok')
    heights[step] = location.height
    txs[step] = tx
  }
  cluster.online = new Set([0, 1, 2, 3])
  await commit('before', user, 'evidence', 'put', {key: 'before', hash: 'a'.repeat(64)})
  await commit('add', admin, 'nodes', 'add', {publicKey: ids[4], name: 'node4', role: 'validator'})
  for (const block of await chains[0]!.committedBlocks(1, 100)) expect(await chains[4]!.applySynced(block)).to.equal(true)
  // Node 3 down: five validators need four votes, so node 4 signs this block.
  cluster.online = new Set([0, 1, 2, 4])
  await commit('voted', user, 'evidence', 'put', {key: 'voted', hash: 'b'.repeat(64)})
  await commit('remove', admin, 'nodes', 'remove', {publicKey: ids[3]})
  cluster.online = new Set([0, 1, 2])
  await commit('after', user, 'evidence', 'put', {key: 'after', hash: 'c'.repeat(64)})
  return {cluster, chains, genesis, document, nodeKeys, ids, admin, user, heights, txs, account}
}
