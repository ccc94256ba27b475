/**
 * TypeScript client for a wichain node's JSON-RPC endpoint: what the CLI and business systems
 * use. Errors come back as WichainErrors with the node's code.
 *
 * Reads and node operations need an identity: give `signer` (an account's key, e.g.
 * `createSigner(readKeystoreFile(path, password))`) and every request is signed
 * (core/authz/request.ts). Without one, only `tx.send` and `/health` are answered.
 */
import {randomBytes} from 'node:crypto'
import {REQUEST_NONCE_BYTES, signRequest} from '../core/authz/request.js'
import {toHex} from '../core/bytes.js'
import type {Signer} from '../core/crypto/index.js'
import {errorFromObject, WichainError} from '../core/errors.js'
import type {TxCertificate, TxCertificateCheck} from '../core/chain/tx-certificate.js'
import type {Tx} from '../core/types/tx.js'

/** A signer, or how to get one when the first request needs it (e.g. unlocking a keystore). */
export type ClientSigner = Signer | (() => Signer | Promise<Signer>)

export interface ClientOptions {
  readonly timeoutMs?: number
  readonly chainId?: string
  /** Signs every request (see the header comment). */
  readonly signer?: ClientSigner
  /** A hint appended to UNAUTHORIZED "needs a signed request" errors (the CLI says how to pass a key). */
  readonly unsignedHint?: string
}

export interface TxResult {
  readonly txHash: string
  readonly status: 'ok' | 'failed' | 'pending' | 'unknown'
  readonly height?: number
  readonly index?: number
}

const METRICS_BYTES_MAX = 16 * 1024 * 1024

/** One archive or restore call's result (segments as JSON with hex digests). */
export interface ArchiveStep {
  readonly chainId: string
  readonly archivedBelow: number
  readonly segments: Array<Record<string, unknown>>
  readonly blocks: number
  readonly txs: number
  readonly done: boolean
}

/** An archive step moves at most one segment (≤ 32 MiB raw) per call when the CLI drives it. */
const ARCHIVE_CALL_TIMEOUT_MS = 10 * 60_000

export class WichainClient {
  private nextId = 1
  private signer: Promise<Signer> | undefined

  constructor(
    readonly url: string,
    private readonly options: ClientOptions = {},
  ) {}

  /** The signature headers for one request to `url` (none without a signer). */
  private async signatureHeaders(method: string, url: URL, body: Uint8Array): Promise<Record<string, string>> {
    const source = this.options.signer
    if (source === undefined) return {}
    this.signer ??= Promise.resolve(typeof source === 'function' ? source() : source)
    const signer = await this.signer
    return signRequest(signer, {method, path: url.pathname + url.search, host: url.host, body}, Date.now(), new Uint8Array(randomBytes(REQUEST_NONCE_BYTES)))
  }

  private unsigned(error: WichainError): WichainError {
    if (error.code !== 'UNAUTHORIZED' || error.details?.reason !== 'unsigned' || this.options.unsignedHint === undefined) return error
    return new WichainError(error.code, `${error.message}; ${this.options.unsignedHint}`, error.details)
  }

  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = this.options.timeoutMs ?? 30_000): Promise<T> {
    const body = JSON.stringify({jsonrpc: '2.0', id: this.nextId++, method, params: {chainId: this.options.chainId, ...params}})
    const url = new URL(this.url)
    const signature = await this.signatureHeaders('POST', url, Buffer.from(body, 'utf8'))
    let response: Response
    try {
      response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...signature}, body, signal: AbortSignal.timeout(timeoutMs)})
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
    if (reply.error !== undefined) throw this.unsigned(errorFromObject(reply.error))
    return reply.result as T
  }

  status() {
    return this.call<{running: boolean; name: string; nodeId: string; chains: Array<Record<string, unknown> & {chainId: string; height: number; headHash: string; consensus: string; role: string; peers: number}>}>('node.status')
  }

  chainStatus(chainId?: string) {
    return this.call<{chainId: string; height: number; headHash: string; genesisHash: string; consensus: string}>('chain.status', chainId === undefined ? {} : {chainId})
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

  /** Verify a tx certificate on the node: offline checks plus "its block is the one this node holds" (works on header-only nodes). */
  checkTxCertificate(certificate: unknown): Promise<TxCertificateCheck> {
    return this.call<TxCertificateCheck>('cert.check', {certificate})
  }

  getBlock(which: number | 'latest' | {hash: string}) {
    const params = typeof which === 'object' ? {hash: which.hash} : {height: which}
    return this.call<Record<string, unknown> & {height: number; hash: string}>('block.get', params)
  }

  /** Committed blocks from `from` (at most `count`, 1..64) with certificates, hex-encoded (`chain.blocks`). */
  committedBlocks(from: number, count: number) {
    return this.call<{chainId: string; head: {height: number; hash: string}; blocks: Array<{height: number; block: string; certificate: string}>}>('chain.blocks', {from, count})
  }

  query(contract: string, method: string, args: unknown) {
    return this.call<{result: unknown}>('contract.query', {contract, method, args})
  }

  /** Archive heights below `below` on the node (at most `segmentsMax` segments per call). */
  archiveRun(below: number, segmentsMax?: number) {
    return this.call<ArchiveStep & {diskBytesBefore?: number; diskBytesAfter?: number}>('archive.run', {below, segmentsMax}, ARCHIVE_CALL_TIMEOUT_MS)
  }

  /** Move archived heights back into the node's live store (newest segment first). */
  archiveRestore(segmentsMax?: number) {
    return this.call<ArchiveStep>('archive.restore', {segmentsMax}, ARCHIVE_CALL_TIMEOUT_MS)
  }

  archiveList() {
    return this.call<{chainId: string; directory: string; archivedBelow: number; height: number; diskBytes?: number; segments: Array<Record<string, unknown>>}>('archive.list')
  }

  /** The node's Prometheus exposition text (`GET /metrics` on the RPC port), at most 16 MiB. */
  async metricsText(timeoutMs = this.options.timeoutMs ?? 30_000): Promise<string> {
    const url = new URL('/metrics', this.url)
    const signature = await this.signatureHeaders('GET', url, new Uint8Array(0))
    let response: Response
    try {
      response = await fetch(url, {headers: signature, signal: AbortSignal.timeout(timeoutMs)})
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError'
      throw new WichainError(timedOut ? 'TIMEOUT' : 'UNAVAILABLE', `node at ${url} ${timedOut ? 'timed out' : 'is unreachable'}`, undefined, {cause: error})
    }
    if (!response.ok) {
      // Refusals (unsigned, not allowed, stale) carry the node's JSON-RPC error body.
      const text = await response.text().catch(() => '')
      let error: WichainError | undefined
      try {
        const reply = JSON.parse(text) as {error?: {code?: unknown; message?: unknown; data?: unknown}}
        if (reply.error !== undefined) error = this.unsigned(errorFromObject(reply.error))
      } catch {
        // not JSON: the plain HTTP status says it
      }
      throw error ?? new WichainError('OPERATION_FAILED', `node at ${url} answered HTTP ${response.status}`)
    }
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of response.body ?? []) {
      size += chunk.length
      if (size > METRICS_BYTES_MAX) throw new WichainError('PAYLOAD_TOO_LARGE', `metrics from ${url} exceed ${METRICS_BYTES_MAX} bytes`)
      chunks.push(chunk)
    }
    return Buffer.concat(chunks).toString('utf8')
  }
}
