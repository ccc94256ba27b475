/**
 * Load for benchmarks and soak tests: JSON-RPC batches of signed txs sent round-robin to nodes,
 * a few in flight per node; connection failures are retried (sending a tx twice is harmless: the
 * second is a DUPLICATE_TX), and txs refused for a full mempool are sent again once it drains.
 */
import {randomBytes} from 'node:crypto'
import {REQUEST_NONCE_BYTES, signRequest} from '../core/authz/request.js'
import {toHex} from '../core/bytes.js'
import type {Signer} from '../core/crypto/index.js'
import {WichainError} from '../core/errors.js'
import type {Tx} from '../core/types/tx.js'

export const LOAD_BATCH_TXS = 100
const RPC_ATTEMPTS = 3
const IN_FLIGHT_PER_NODE = 2
const RESEND_ROUNDS_MAX = 600
const RESEND_DELAY_MS = 250

export interface RpcReply {
  readonly id: number
  readonly result?: any
  readonly error?: {message: string; data?: {code?: string}}
}

export interface LoadCounters {
  /** Calls sent again after a connection failure. */
  retries: number
  /** Txs sent again after MEMPOOL_FULL. */
  resent: number
}

/**
 * One JSON-RPC batch; replies in call order. Reads need a signed request (`signer`: an account
 * allowed to read, e.g. the network's auditor); `tx.send` needs none.
 */
export async function rpcBatch(url: string, calls: readonly {method: string; params: unknown}[], counters?: LoadCounters, signer?: Signer, attempt = 1): Promise<RpcReply[]> {
  let response: Response
  const body = JSON.stringify(calls.map((call, id) => ({jsonrpc: '2.0', id, ...call})))
  const target = new URL(url)
  const headers = signer === undefined
    ? {}
    : signRequest(signer, {method: 'POST', path: target.pathname + target.search, host: target.host, body: Buffer.from(body)}, Date.now(), new Uint8Array(randomBytes(REQUEST_NONCE_BYTES)))
  try {
    response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body})
  } catch (error) {
    if (attempt >= RPC_ATTEMPTS) throw error
    if (counters !== undefined) counters.retries++
    return rpcBatch(url, calls, counters, signer, attempt + 1)
  }
  const replies = (await response.json()) as RpcReply[]
  if (!Array.isArray(replies)) throw new WichainError('OPERATION_FAILED', `batch answered ${response.status}: ${JSON.stringify(replies).slice(0, 200)}`)
  return replies.sort((a, b) => a.id - b.id)
}

/** Sends every tx; resolves once every one was accepted (or was already known). */
export async function submitAll(urls: readonly string[], txs: readonly Tx[], counters: LoadCounters = {retries: 0, resent: 0}): Promise<LoadCounters> {
  let pending = [...txs]
  for (let round = 0; pending.length > 0; round++) {
    if (round > RESEND_ROUNDS_MAX) throw new WichainError('TIMEOUT', `${pending.length} txs still refused for a full mempool after ${round} rounds`)
    const refused: Tx[] = []
    const inFlight = new Set<Promise<void>>()
    for (let offset = 0, turn = 0; offset < pending.length; offset += LOAD_BATCH_TXS, turn++) {
      const slice = pending.slice(offset, offset + LOAD_BATCH_TXS)
      const sent = rpcBatch(urls[turn % urls.length]!, slice.map((tx) => ({method: 'tx.send', params: {tx: toHex(tx.bytes)}})), counters).then((replies) => {
        replies.forEach((reply, index) => {
          const code = reply.error?.data?.code
          if (reply.error === undefined || code === 'DUPLICATE_TX') return
          if (code !== 'MEMPOOL_FULL') throw new WichainError('OPERATION_FAILED', `tx refused: ${code} ${reply.error.message}`)
          refused.push(slice[index]!)
        })
      })
      const tracked = sent.finally(() => inFlight.delete(tracked))
      inFlight.add(tracked)
      if (inFlight.size >= urls.length * IN_FLIGHT_PER_NODE) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    counters.resent += refused.length
    pending = refused
    // Back-pressure from full mempools: give the chain a moment to commit before resending.
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, RESEND_DELAY_MS))
  }
  return counters
}

/** Whether every tx is committed (status ok) on the node at `url`; `reader` signs the reads. */
export async function allCommitted(url: string, txs: readonly Tx[], reader: Signer): Promise<boolean> {
  for (let offset = 0; offset < txs.length; offset += LOAD_BATCH_TXS) {
    const replies = await rpcBatch(url, txs.slice(offset, offset + LOAD_BATCH_TXS).map((tx) => ({method: 'tx.get', params: {hash: tx.hashHex}})), undefined, reader)
    const refused = replies.find((reply) => reply.error?.data?.code === 'UNAUTHORIZED')
    if (refused !== undefined) throw new WichainError('UNAUTHORIZED', `reading txs: ${refused.error!.message}`)
    if (!replies.every((reply) => reply.result?.status === 'ok')) return false
  }
  return true
}
