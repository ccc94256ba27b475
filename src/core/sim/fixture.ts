/**
 * The cast of a simulated chain: node and account keys derived from fixed labels (so a replay in
 * another process has the same keys, genesis and tx hashes), the genesis, and pools of signed
 * `evidence.put` txs. SM2 signing costs ~0.4 ms, so each pool is signed once per process and
 * reused by every run: its txs have fixed nonces and timestamps and an expiry high enough for any
 * run (runs start from an empty store, so reuse cannot replay a committed tx).
 */
import {toHex} from '../bytes.js'
import {parseGenesis, type Genesis} from '../chain/genesis.js'
import {addressOf, createSigner, publicKeyFromPrivate, type KeyPair, type Signer} from '../crypto/index.js'
import {sm3} from '../crypto/sm3.js'
import {createTx, type Tx} from '../types/tx.js'
import type {ConsensusKind} from '../types/certificate.js'

export const SIM_CHAIN_ID = 'wi-sim'
/** Height until which pool txs stay valid (the genesis expiry window allows it from height 0). */
export const SIM_TX_EXPIRY = 5000
export const SIM_NODES_MAX = 8

function keyOf(label: string): KeyPair {
  const privateKey = sm3(new TextEncoder().encode(`wichain-sim/${label}`))
  return {privateKey, publicKey: publicKeyFromPrivate(privateKey)}
}

export const NODE_KEYS: readonly KeyPair[] = Array.from({length: SIM_NODES_MAX}, (_, index) => keyOf(`node${index}`))
export const NODE_IDS: readonly string[] = NODE_KEYS.map((key) => toHex(key.publicKey))
export const ADMIN: Signer = createSigner(keyOf('admin'))
export const USER: Signer = createSigner(keyOf('user'))

export interface GenesisShape {
  readonly consensus: ConsensusKind
  readonly validators: number
  readonly blockTxsMax: number
  readonly blockIntervalMs: number
}

export function simGenesis(shape: GenesisShape): Genesis {
  const account = (name: string, role: string, signer: Signer) => ({name, role, publicKey: toHex(signer.publicKey), address: addressOf(signer.publicKey)})
  return parseGenesis({
    version: 1,
    chainId: SIM_CHAIN_ID,
    consensus: shape.consensus,
    timestamp: 1_700_000_000_000,
    validators: NODE_KEYS.slice(0, shape.validators).map((key, index) => ({name: `node${index}`, publicKey: toHex(key.publicKey)})),
    accounts: [account('admin', 'orgadmin', ADMIN), account('user', 'user', USER)],
    params: {blockTxsMax: shape.blockTxsMax, blockIntervalMs: shape.blockIntervalMs, txExpiryWindow: SIM_TX_EXPIRY, mempoolTxsMax: 100_000},
  })
}

const pools = new Map<number, Tx[]>()

/** `count` evidence txs whose args carry `padBytes` of padding (to make blocks of a given size). */
export function txPool(count: number, padBytes: number): readonly Tx[] {
  let pool = pools.get(padBytes)
  if (pool === undefined) {
    pool = []
    pools.set(padBytes, pool)
  }
  const pad = 'p'.repeat(padBytes)
  while (pool.length < count) {
    const index = pool.length
    const nonce = sm3(new TextEncoder().encode(`nonce/${padBytes}/${index}`)).subarray(0, 16)
    const args = {key: `sim-${padBytes}-${index}`, hash: toHex(sm3(new TextEncoder().encode(`doc/${index}`))), ...(padBytes > 0 ? {meta: '', pad} : {})}
    pool.push(createTx({chainId: SIM_CHAIN_ID, contract: 'evidence', method: 'put', args, expiry: SIM_TX_EXPIRY, nonce, timestamp: 1_700_000_000_000 + index}, USER))
  }
  return pool.slice(0, count)
}

const adds = new Map<string, Tx>()

/** A `nodes.add` by the admin (signed once per process, like the pools: equal bytes in every run). */
export function addNodeTx(index: number, role: 'validator' | 'observer'): Tx {
  const label = `add/${index}/${role}`
  let tx = adds.get(label)
  if (tx === undefined) {
    const nonce = sm3(new TextEncoder().encode(label)).subarray(0, 16)
    const args = {publicKey: NODE_IDS[index], name: `node${index}`, role, address: `sim:${index}`}
    tx = createTx({chainId: SIM_CHAIN_ID, contract: 'nodes', method: 'add', args, expiry: SIM_TX_EXPIRY, nonce, timestamp: 1_700_000_000_000}, ADMIN)
    adds.set(label, tx)
  }
  return tx
}
