/**
 * Request/response over one channel (default 'sync') of a NetworkNode, for block sync and status
 * queries; the payloads are the caller's. Each request has an id, a deadline and a bound on how
 * many are in flight; a peer that disconnects fails its pending requests at once. Its bounds
 * (requests sent, served at once, waiting to be served) default to limits.ts "Sync requests".
 *
 *   message = kind u8 ‖ requestId u32 ‖ body
 *   kind: 1 request, 2 response, 3 failed (body = reason, UTF-8), 4 busy (body = reason)
 */
import {WichainError} from '../errors.js'
import {
  SYNC_FAILURE_REASON_BYTES_MAX,
  SYNC_HEADER_BYTES,
  SYNC_REQUEST_TIMEOUT_MS_MAX,
  SYNC_REQUESTS_OUTGOING_MAX,
  SYNC_REQUESTS_SERVED_MAX,
  SYNC_REQUESTS_WAITING_MAX,
} from '../limits.js'
import {type Logger, nullLogger} from '../log.js'
import {type Channel, CHANNELS} from './envelope.js'
import type {DisconnectListener, MessageListener} from './interface.js'

const KIND = {request: 1, response: 2, failed: 3, busy: 4} as const
const ID_SPACE = 2 ** 32

/** The bounds a SyncService takes when its options name none (limits.ts "Sync requests"). */
export const SYNC_SERVICE_DEFAULTS = Object.freeze({
  inFlightMax: SYNC_REQUESTS_OUTGOING_MAX,
  servingMax: SYNC_REQUESTS_SERVED_MAX,
  waitingMax: SYNC_REQUESTS_WAITING_MAX,
  timeoutMsMax: SYNC_REQUEST_TIMEOUT_MS_MAX,
})

/** What the sync service needs from the transport (a NetworkNode, or a fake in tests). */
export interface SyncTransport {
  send(peerPublicKeyHex: string, channel: Channel, body: Uint8Array): boolean
  onMessage(listener: MessageListener): () => void
  onPeerDisconnected(listener: DisconnectListener): () => void
}

export interface SyncOptions {
  readonly channel?: Channel
  /** Outgoing requests awaiting an answer, over all peers. */
  readonly inFlightMax?: number
  /** Incoming requests being handled at once; more wait in a queue. */
  readonly servingMax?: number
  /** Incoming requests waiting for a handler slot; more are answered 'busy'. */
  readonly waitingMax?: number
  readonly timeoutMsMax?: number
  readonly logger?: Logger
  /** Request deadlines: real timers by default, the simulator's virtual ones in src/core/sim. */
  readonly timers?: SyncTimers
}

/** The timer functions request deadlines use (structurally the node layer's `Timers`). */
export interface SyncTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const REAL_SYNC_TIMERS: SyncTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export type RequestHandler = (fromPublicKeyHex: string, body: Uint8Array) => Promise<Uint8Array>

interface Pending {
  readonly peer: string
  readonly resolve: (body: Uint8Array) => void
  readonly reject: (error: WichainError) => void
  readonly timer: unknown
}

function encode(kind: number, id: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(SYNC_HEADER_BYTES + body.length)
  out[0] = kind
  new DataView(out.buffer).setUint32(1, id)
  out.set(body, SYNC_HEADER_BYTES)
  return out
}

function reasonBytes(reason: string): Uint8Array {
  return Buffer.from(reason, 'utf8').subarray(0, SYNC_FAILURE_REASON_BYTES_MAX)
}

export class SyncService {
  readonly channel: Channel
  readonly #transport: SyncTransport
  readonly #inFlightMax: number
  readonly #servingMax: number
  readonly #waitingMax: number
  readonly #waiting: {readonly from: string; readonly id: number; readonly body: Uint8Array}[] = []
  readonly #timeoutMsMax: number
  readonly #logger: Logger
  readonly #timers: SyncTimers
  readonly #pending = new Map<number, Pending>()
  readonly #unsubscribe: (() => void)[]
  #handler: RequestHandler | undefined
  #serving = 0
  #nextId = 0
  #closed = false

  constructor(transport: SyncTransport, options: SyncOptions = {}) {
    this.channel = options.channel ?? CHANNELS.sync
    this.#transport = transport
    this.#inFlightMax = options.inFlightMax ?? SYNC_SERVICE_DEFAULTS.inFlightMax
    this.#servingMax = options.servingMax ?? SYNC_SERVICE_DEFAULTS.servingMax
    this.#waitingMax = options.waitingMax ?? SYNC_SERVICE_DEFAULTS.waitingMax
    this.#timeoutMsMax = options.timeoutMsMax ?? SYNC_SERVICE_DEFAULTS.timeoutMsMax
    this.#logger = (options.logger ?? nullLogger).child({component: 'sync'})
    this.#timers = options.timers ?? REAL_SYNC_TIMERS
    this.#unsubscribe = [
      transport.onMessage((from, channel, body) => channel === this.channel && this.#onMessage(from, body)),
      transport.onPeerDisconnected((peer) => this.#failPeer(peer, 'peer disconnected')),
    ]
  }

  get inFlight(): number {
    return this.#pending.size
  }

  /** Sets the one handler for incoming requests (replacing any earlier one). */
  onRequest(handler: RequestHandler): void {
    this.#handler = handler
  }

  /** Sends a request; resolves with the response body. UNAVAILABLE, TIMEOUT or OPERATION_FAILED otherwise. */
  request(peerPublicKeyHex: string, body: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > this.#timeoutMsMax) {
      return Promise.reject(new WichainError('INVALID_ARGUMENT', `timeoutMs must be 1..${this.#timeoutMsMax}`))
    }
    if (this.#closed) return Promise.reject(new WichainError('UNAVAILABLE', 'sync service is closed'))
    if (this.#pending.size >= this.#inFlightMax) {
      return Promise.reject(new WichainError('UNAVAILABLE', `too many sync requests in flight (${this.#inFlightMax})`))
    }
    const id = this.#allocateId()
    const peer = peerPublicKeyHex.toLowerCase()
    let sent: boolean
    try {
      sent = this.#transport.send(peer, this.channel, encode(KIND.request, id, body))
    } catch (error) {
      return Promise.reject(error)
    }
    if (!sent) return Promise.reject(new WichainError('UNAVAILABLE', 'peer is not connected', {peer}))
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#pending.delete(id)
        reject(new WichainError('TIMEOUT', `sync request timed out after ${timeoutMs} ms`, {peer}))
      }, timeoutMs)
      this.#pending.set(id, {peer, resolve, reject, timer})
    })
  }

  /** Fails every pending request and stops listening. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const unsubscribe of this.#unsubscribe) unsubscribe()
    for (const [id, pending] of this.#pending) this.#settle(id, pending, new WichainError('UNAVAILABLE', 'sync service closed'))
  }

  #allocateId(): number {
    do this.#nextId = (this.#nextId + 1) % ID_SPACE
    while (this.#pending.has(this.#nextId))
    return this.#nextId
  }

  #onMessage(from: string, message: Uint8Array): void {
    if (message.length < SYNC_HEADER_BYTES) {
      this.#logger.warn('ignoring malformed sync message', {peer: from.slice(0, 16)})
      return
    }
    const kind = message[0]
    const id = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(1)
    const body = message.subarray(SYNC_HEADER_BYTES)
    if (kind === KIND.request) {
      this.#serve(from, id, body)
      return
    }
    const pending = this.#pending.get(id)
    if (pending === undefined || pending.peer !== from) {
      this.#logger.debug('ignoring unexpected sync response (late or unknown id)', {peer: from.slice(0, 16), id})
      return
    }
    if (kind === KIND.response) {
      this.#settle(id, pending, body)
      return
    }
    const reason = Buffer.from(body).toString('utf8')
    const code = kind === KIND.busy ? 'UNAVAILABLE' : 'OPERATION_FAILED'
    this.#settle(id, pending, new WichainError(code, `peer could not answer: ${reason}`, {peer: from}))
  }

  #settle(id: number, pending: Pending, outcome: Uint8Array | WichainError): void {
    this.#pending.delete(id)
    this.#timers.clearTimeout(pending.timer)
    if (outcome instanceof WichainError) pending.reject(outcome)
    else pending.resolve(outcome)
  }

  #failPeer(peer: string, reason: string): void {
    for (const [id, pending] of this.#pending) {
      if (pending.peer === peer) this.#settle(id, pending, new WichainError('UNAVAILABLE', `sync request failed: ${reason}`, {peer}))
    }
  }

  #serve(from: string, id: number, body: Uint8Array): void {
    if (this.#handler === undefined || this.#closed) {
      this.#reply(from, KIND.busy, id, reasonBytes('no sync handler'))
      return
    }
    if (this.#serving >= this.#servingMax) {
      if (this.#waiting.length >= this.#waitingMax) this.#reply(from, KIND.busy, id, reasonBytes('busy'))
      else this.#waiting.push({from, id, body})
      return
    }
    this.#run(this.#handler, from, id, body)
  }

  #run(handler: RequestHandler, from: string, id: number, body: Uint8Array): void {
    this.#serving += 1
    Promise.resolve()
      .then(() => handler(from, body))
      .then(
        (response) => this.#reply(from, KIND.response, id, response),
        (error: unknown) => {
          this.#logger.warn('sync request handler failed', {peer: from.slice(0, 16), error: String(error)})
          const reason = error instanceof WichainError ? error.message : 'request handler failed'
          this.#reply(from, KIND.failed, id, reasonBytes(reason))
        },
      )
      .finally(() => {
        this.#serving -= 1
        const next = this.#waiting.shift()
        if (next !== undefined) this.#serve(next.from, next.id, next.body)
      })
  }

  #reply(to: string, kind: number, id: number, body: Uint8Array): void {
    try {
      this.#transport.send(to, this.channel, encode(kind, id, body))
    } catch (error) {
      // Typically a response larger than a frame: tell the requester instead of leaving it waiting.
      this.#logger.warn('cannot send sync response', {peer: to.slice(0, 16), error: String(error)})
      if (kind === KIND.response) this.#reply(to, KIND.failed, id, reasonBytes(`response not sendable: ${String(error)}`))
    }
  }
}
