/**
 * TypeScript client for a wichain node's JSON-RPC endpoint: what the CLI and business systems
 * use. Errors come back as WichainErrors with the node's code.
 */
import {toHex} from '../core/bytes.js'
import {errorFromObject, WichainError} from '../core/errors.js'
import type {TxCertificate} from '../core/chain/tx-certificate.js'
import type {Tx} from '../core/types/tx.js'

export interface ClientOptions {
  readonly timeoutMs?: number
  readonly chainId?: string
}

export interface TxResult {
  readonly txHash: string
  readonly status: 'ok' | 'failed' | 'pending' | 'unknown'
  readonly height?: number
  readonly index?: number
}

export class WichainClient {
  private nextId = 1

  constructor(
    readonly url: string,
    private readonly options: ClientOptions = {},
  ) {}

  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = this.options.timeoutMs ?? 30_000): Promise<T> {
    const body = JSON.stringify({jsonrpc: '2.0', id: this.nextId++, method, params: {chainId: this.options.chainId, ...params}})
    let response: Response
    try {
      response = await fetch(this.url, {method: 'POST', headers: {'content-type': 'application/json'}, body, signal: AbortSignal.timeout(timeoutMs)})
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'is unreachable'
      throw new WichainError(reason === 'timed out' ? 'TIMEOUT' : 'UNAVAILABLE', `node at ${this.url} ${reason}`, undefined, {cause: error})
    }
    let reply: {result?: T; error?: {code?: unknown; message?: unknown; data?: unknown}}
    try {
      reply = (await response.json()) as typeof reply
    } catch (error) {
      throw new WichainError('DECODE_ERROR', `node at ${this.url} answered with non-JSON (HTTP ${response.status})`, undefined, {cause: error})
    }
    if (reply.error !== undefined) throw errorFromObject(reply.error)
    return reply.result as T
  }

  status() {
    return this.call<{running: boolean; name: string; nodeId: string; chains: Array<Record<string, unknown> & {chainId: string; height: number; headHash: string}>}>('node.status')
  }

  chainStatus() {
    return this.call<{chainId: string; height: number; headHash: string; genesisHash: string; consensus: string}>('chain.status')
  }

  /** Submit a signed tx; with `waitMs` > 0, wait up to that long for its commit. */
  sendTx(tx: Tx, waitMs = 0): Promise<TxResult> {
    return this.call<TxResult>('tx.send', {tx: toHex(tx.bytes), waitMs}, waitMs + 30_000)
  }

  waitTx(hash: string, timeoutMs: number): Promise<TxResult> {
    return this.call<TxResult>('tx.wait', {hash, timeoutMs}, timeoutMs + 30_000)
  }

  getTx(hash: string) {
    return this.call<Record<string, unknown> & TxResult>('tx.get', {hash})
  }

  getTxProof(hash: string): Promise<TxCertificate> {
    return this.call<TxCertificate>('tx.proof', {hash})
  }

  getBlock(which: number | 'latest' | {hash: string}) {
    const params = typeof which === 'object' ? {hash: which.hash} : {height: which}
    return this.call<Record<string, unknown> & {height: number; hash: string}>('block.get', params)
  }

  query(contract: string, method: string, args: unknown) {
    return this.call<{result: unknown}>('contract.query', {contract, method, args})
  }
}
