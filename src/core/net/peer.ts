/**
 * One known peer: its dial address (if we dial it), the one active connection, the bounded send
 * queue, reconnect state and counters. A peer has at most one active connection; duplicates are
 * resolved by `preferredConnection` (both sides reach the same answer without talking).
 */
import type {Socket} from 'node:net'
import {WichainError} from '../errors.js'
import type {Connection} from './connection.js'
import type {Channel} from './envelope.js'
import type {NetworkLimits} from './options.js'
import {SendQueue} from './send-queue.js'

export interface PeerAddress {
  /** 65-byte uncompressed SM2 node public key, hex. */
  readonly publicKey: string
  readonly host: string
  readonly port: number
}

export interface PeerStatus {
  readonly publicKey: string
  readonly host?: string
  readonly port?: number
  readonly connected: boolean
  readonly direction?: 'inbound' | 'outbound'
  /** When the current connection was established (ms since the epoch). */
  readonly since?: number
  readonly bytesIn: number
  readonly bytesOut: number
  readonly messagesIn: number
  readonly messagesOut: number
  readonly messagesDropped: number
  readonly queuedMessages: number
  readonly reconnectAttempts: number
  readonly lastError?: string
}

const PUBLIC_KEY_HEX = /^04[0-9a-f]{128}$/
const DROP_REPORT_INTERVAL_MS = 1_000

export function normalizePublicKeyHex(publicKey: string): string {
  const hex = typeof publicKey === 'string' ? publicKey.toLowerCase().replace(/^0x/, '') : ''
  if (!PUBLIC_KEY_HEX.test(hex)) {
    throw new WichainError('INVALID_ARGUMENT', 'peer public key must be 65-byte uncompressed SM2 hex (04…)')
  }
  return hex
}

export function checkPeerAddress(address: PeerAddress): PeerAddress {
  const port = address.port
  if (typeof address.host !== 'string' || address.host.length === 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new WichainError('INVALID_ARGUMENT', 'peer address needs a host and a port 1..65535', {host: address.host, port})
  }
  return Object.freeze({publicKey: normalizePublicKeyHex(address.publicKey), host: address.host, port})
}

/**
 * Which of two authenticated connections to the same peer to keep. Same initiator: the newer one
 * (the initiator only dials again when it has given the old one up). Different initiators: the
 * one dialled by the smaller public key, a rule both sides evaluate identically.
 */
export function preferredConnection(existing: Connection, incoming: Connection): Connection {
  const existingInitiator = existing.initiatorKeyHex as string
  const incomingInitiator = incoming.initiatorKeyHex as string
  if (existingInitiator === incomingInitiator) return incoming
  return incomingInitiator < existingInitiator ? incoming : existing
}

export class Peer {
  readonly publicKeyHex: string
  address: PeerAddress | undefined
  connection: Connection | undefined
  connectedSinceMs: number | undefined
  lastError: string | undefined
  reconnectAttempts = 0
  dialing = false
  dialTimer: NodeJS.Timeout | undefined
  /** The outgoing socket while it connects (destroyed if the peer is removed meanwhile). */
  dialSocket: Socket | undefined
  readonly queue: SendQueue
  #flushScheduled = false
  #dropsUnreported = 0
  #dropsReportedAtMs = -Infinity
  #closedBytesIn = 0
  #closedBytesOut = 0
  #closedMessagesIn = 0
  #closedMessagesOut = 0

  constructor(publicKeyHex: string, limits: NetworkLimits, address?: PeerAddress) {
    this.publicKeyHex = publicKeyHex
    this.address = address
    this.queue = new SendQueue(limits.sendQueueMessagesMax, limits.sendQueueBytesMax)
  }

  get connected(): boolean {
    return this.connection !== undefined
  }

  attach(connection: Connection, nowMs: number): void {
    this.connection = connection
    this.connectedSinceMs = nowMs
    this.reconnectAttempts = 0
  }

  /** Forgets the active connection; queued messages are discarded (the caller resends if it must). */
  detach(): void {
    this.connection = undefined
    this.connectedSinceMs = undefined
    this.queue.clear()
  }

  /** Folds a finished connection's counters into the totals. */
  account(connection: Connection): void {
    this.#closedBytesIn += connection.bytesIn
    this.#closedBytesOut += connection.bytesOut
    this.#closedMessagesIn += connection.messagesIn
    this.#closedMessagesOut += connection.messagesOut
  }

  /**
   * Flushes on the next microtask, so messages queued by one synchronous burst of send() calls
   * leave in one corked write instead of one system call each (≈3× the rate for 200-byte messages).
   */
  scheduleFlush(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    queueMicrotask(() => {
      this.#flushScheduled = false
      this.flush()
    })
  }

  /** Writes queued messages until the queue is empty or the socket needs to drain. */
  flush(): void {
    const connection = this.connection
    if (connection === undefined || this.queue.length === 0) return
    connection.cork()
    try {
      while (connection.writable && this.queue.length > 0) {
        const message = this.queue.shift() as {channel: Channel; body: Uint8Array}
        connection.send(message.channel, message.body)
      }
    } finally {
      connection.uncork()
    }
  }

  /** Counts dropped messages; returns how many to log now (at most one report a second). */
  dropsToReport(dropped: number, nowMs: number): number {
    this.#dropsUnreported += dropped
    if (this.#dropsUnreported === 0 || nowMs - this.#dropsReportedAtMs < DROP_REPORT_INTERVAL_MS) return 0
    const count = this.#dropsUnreported
    this.#dropsUnreported = 0
    this.#dropsReportedAtMs = nowMs
    return count
  }

  stopDialing(): void {
    clearTimeout(this.dialTimer)
    this.dialTimer = undefined
  }

  status(): PeerStatus {
    const live = this.connection
    return Object.freeze({
      publicKey: this.publicKeyHex,
      ...(this.address ? {host: this.address.host, port: this.address.port} : {}),
      connected: live !== undefined,
      ...(live ? {direction: live.role === 'initiator' ? 'outbound' as const : 'inbound' as const} : {}),
      ...(this.connectedSinceMs !== undefined ? {since: this.connectedSinceMs} : {}),
      bytesIn: this.#closedBytesIn + (live?.bytesIn ?? 0),
      bytesOut: this.#closedBytesOut + (live?.bytesOut ?? 0),
      messagesIn: this.#closedMessagesIn + (live?.messagesIn ?? 0),
      messagesOut: this.#closedMessagesOut + (live?.messagesOut ?? 0),
      messagesDropped: this.queue.dropped,
      queuedMessages: this.queue.length,
      reconnectAttempts: this.reconnectAttempts,
      ...(this.lastError !== undefined ? {lastError: this.lastError} : {}),
    })
  }
}
