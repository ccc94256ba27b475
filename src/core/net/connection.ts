/**
 * One TCP connection to one peer: framing, the handshake (with a deadline), then encrypted
 * envelopes. Every failure closes the connection and is logged with its reason; nothing that
 * fails a check is ever delivered. The peer set (transport.ts) decides what a connection is for.
 */
import type {Socket} from 'node:net'
import {toWichainError, WichainError} from '../errors.js'
import type {Logger} from '../log.js'
import {type Channel, checkChannel, decodeEnvelope, envelopeHeader, ENVELOPE_OVERHEAD_BYTES_MAX} from './envelope.js'
import {encodeFrame, FrameDecoder} from './frame.js'
import type {Handshake, HandshakeResult, Role} from './handshake.js'
import {encodeReject, HANDSHAKE_MESSAGE_BYTES_MAX} from './handshake-messages.js'
import type {NetworkLimits} from './options.js'
import {MAC_BYTES, SecureChannel} from './secure-channel.js'

export type ConnectionState = 'handshaking' | 'open' | 'draining' | 'closed'

export interface ConnectionEvents {
  onEstablished(connection: Connection): void
  onMessage(connection: Connection, channel: Channel, body: Uint8Array): void
  onWritable(connection: Connection): void
  onClosed(connection: Connection, reason: string): void
}

export interface ConnectionOptions {
  readonly socket: Socket
  readonly handshake: Handshake
  readonly limits: NetworkLimits
  readonly logger: Logger
  readonly events: ConnectionEvents
}

const KEEPALIVE_DELAY_MS = 15_000
/** Bytes a connection may hold in its socket's user-space buffer; the peer's queue holds the rest. */
const WRITE_BUFFER_BYTES_MAX = 1024 * 1024
/** After a refusal the reject frame gets this long to flush before the socket is destroyed. */
const REJECT_LINGER_MS = 500

/** The largest message body that fits one frame under these limits. */
export function messageBytesMax(limits: NetworkLimits): number {
  return limits.frameBytesMax - MAC_BYTES - ENVELOPE_OVERHEAD_BYTES_MAX
}

/** Checks a message before it is queued: PAYLOAD_TOO_LARGE if it cannot fit one frame or the queue. */
export function checkMessage(limits: NetworkLimits, channel: Channel, body: Uint8Array): void {
  checkChannel(channel)
  if (!(body instanceof Uint8Array)) throw new WichainError('INVALID_ARGUMENT', 'message body must be bytes')
  const max = Math.min(messageBytesMax(limits), limits.sendQueueBytesMax)
  if (body.length > max) throw new WichainError('PAYLOAD_TOO_LARGE', `message of ${body.length} bytes exceeds ${max}`)
}

export class Connection {
  readonly role: Role
  readonly remoteAddress: string
  bytesIn = 0
  bytesOut = 0
  messagesIn = 0
  messagesOut = 0
  closeReason: string | undefined
  readonly #socket: Socket
  readonly #handshake: Handshake
  readonly #limits: NetworkLimits
  readonly #events: ConnectionEvents
  #logger: Logger
  #state: ConnectionState = 'handshaking'
  readonly #decoder = new FrameDecoder(HANDSHAKE_MESSAGE_BYTES_MAX)
  #timer: NodeJS.Timeout | undefined
  #session: HandshakeResult | undefined
  #channel: SecureChannel | undefined

  constructor(options: ConnectionOptions) {
    this.#socket = options.socket
    this.#handshake = options.handshake
    this.#limits = options.limits
    this.#events = options.events
    this.role = options.handshake.role
    this.remoteAddress = `${options.socket.remoteAddress}:${options.socket.remotePort}`
    this.#logger = options.logger.child({remoteAddress: this.remoteAddress, role: this.role})
    this.#socket.setNoDelay(true)
    this.#socket.setKeepAlive(true, KEEPALIVE_DELAY_MS)
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    this.#socket.on('drain', () => this.#state === 'open' && this.#events.onWritable(this))
    this.#socket.on('error', (error) => this.#fail(`socket error: ${error.message}`, 'debug'))
    this.#socket.on('close', () => this.#closed(this.closeReason ?? 'closed by peer'))
    this.#timer = setTimeout(() => this.#fail('handshake timed out', 'warn'), this.#limits.handshakeTimeoutMs)
    for (const message of this.#handshake.start()) this.#write(encodeFrame(message))
  }

  get state(): ConnectionState {
    return this.#state
  }

  /** The authenticated peer; undefined until the handshake is done. */
  get remoteKeyHex(): string | undefined {
    return this.#session?.remoteKeyHex
  }

  get initiatorKeyHex(): string | undefined {
    return this.#session?.initiatorKeyHex
  }

  /**
   * Open and the socket's user-space buffer holds less than WRITE_BUFFER_BYTES_MAX. Not the
   * stream's 16 KiB high-water mark: with 64 KiB frames that allows one frame per event-loop turn.
   */
  get writable(): boolean {
    return this.#state === 'open' && this.#socket.writableLength < WRITE_BUFFER_BYTES_MAX
  }

  /** Encrypts and writes one message; false when the socket buffer is full (wait for onWritable). */
  send(channel: Channel, body: Uint8Array): boolean {
    if (this.#state !== 'open' || this.#channel === undefined) {
      throw new WichainError('UNAVAILABLE', 'connection is not open', {state: this.#state})
    }
    if (body.length > messageBytesMax(this.#limits)) {
      throw new WichainError('PAYLOAD_TOO_LARGE', `message of ${body.length} bytes exceeds ${messageBytesMax(this.#limits)}`)
    }
    this.messagesOut += 1
    return this.#write(this.#channel.sealFrame([envelopeHeader(channel), body]))
  }

  /** Between cork() and uncork() writes are gathered into one system call (writev). */
  cork(): void {
    this.#socket.cork()
  }

  uncork(): void {
    this.#socket.uncork()
  }

  /** Retires the connection gracefully: no more sends, still delivers what arrives until the peer ends. */
  drain(reason: string): void {
    if (this.#state !== 'open') return
    this.#state = 'draining'
    this.closeReason = reason
    this.#logger.debug('retiring connection', {reason})
    this.#socket.end()
    this.#timer = setTimeout(() => this.destroy(`${reason}; drain timed out`), this.#limits.drainTimeoutMs)
  }

  destroy(reason: string): void {
    if (this.#state === 'closed') return
    this.closeReason ??= reason
    this.#socket.destroy()
    this.#closed(reason)
  }

  #write(frame: Buffer): boolean {
    this.bytesOut += frame.length
    return this.#socket.write(frame)
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'closed') return
    this.bytesIn += chunk.length
    try {
      this.#decoder.push(chunk, (frame) => {
        if (this.#state === 'handshaking') this.#onHandshakeFrame(frame)
        else this.#onSecureFrame(frame)
        return this.#state !== 'closed'
      })
    } catch (error) {
      this.#onError(toWichainError(error))
    }
  }

  #onHandshakeFrame(frame: Uint8Array): void {
    const step = this.#handshake.receive(frame)
    for (const message of step.outgoing) this.#write(encodeFrame(message))
    if (step.result === undefined) return
    clearTimeout(this.#timer)
    this.#session = step.result
    this.#channel = new SecureChannel(step.result.keys)
    this.#decoder.setFrameBytesMax(this.#limits.frameBytesMax)
    this.#state = 'open'
    this.#logger = this.#logger.child({peer: step.result.remoteKeyHex.slice(0, 16)})
    this.#logger.debug('handshake done')
    this.#events.onEstablished(this)
  }

  #onSecureFrame(frame: Uint8Array): void {
    const envelope = decodeEnvelope((this.#channel as SecureChannel).open(frame))
    this.messagesIn += 1
    this.#events.onMessage(this, envelope.channel, envelope.body)
  }

  #onError(error: WichainError): void {
    const refusedByUs = error.code === 'PEER_REFUSED' && error.details?.remote !== true
    if (this.#state === 'handshaking' && (refusedByUs || error.code === 'HANDSHAKE_FAILED')) {
      this.#reject(error)
      return
    }
    this.#fail(error.message, 'warn', error)
  }

  /** Tells the peer why (best effort), then closes. */
  #reject(error: WichainError): void {
    const reason = String(error.details?.reason ?? error.message)
    const publicKey = error.details?.publicKey
    this.#logger.warn('connection refused', {code: error.code, reason, ...(publicKey === undefined ? {} : {publicKey})})
    this.closeReason = error.message
    this.#socket.end(encodeFrame(encodeReject(reason)))
    setTimeout(() => this.#socket.destroy(), REJECT_LINGER_MS).unref()
    this.#closed(error.message)
  }

  #fail(reason: string, level: 'debug' | 'warn', error?: WichainError): void {
    if (this.#state === 'closed') return
    this.#logger[level]('closing connection', {reason, ...(error ? {code: error.code} : {})})
    this.destroy(reason)
  }

  #closed(reason: string): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    this.closeReason ??= reason
    clearTimeout(this.#timer)
    this.#events.onClosed(this, this.closeReason)
  }
}
