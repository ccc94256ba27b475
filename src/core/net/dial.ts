/** Outgoing connections: one TCP dial with a deadline, and the reconnect schedule. */
import {connect, type Socket} from 'node:net'
import {WichainError} from '../errors.js'
import type {Logger} from '../log.js'
import {type NetworkLimits, reconnectDelayMs} from './options.js'
import type {Peer} from './peer.js'

export interface PendingDial {
  /** The socket, for the caller to track (and destroy on shutdown) while it connects. */
  readonly socket: Socket
  /** Resolves once connected; rejects with UNAVAILABLE or TIMEOUT. */
  readonly connected: Promise<Socket>
}

export function dialSocket(host: string, port: number, timeoutMs: number): PendingDial {
  const socket = connect({host, port})
  const connected = new Promise<Socket>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new WichainError('TIMEOUT', `connect to ${host}:${port} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(new WichainError('UNAVAILABLE', `connect to ${host}:${port} failed: ${error.message}`, undefined, {cause: error}))
    })
    socket.once('close', () => {
      clearTimeout(timer)
      reject(new WichainError('UNAVAILABLE', `connect to ${host}:${port} aborted`))
    })
  })
  return {socket, connected}
}

export interface DialerHost {
  readonly limits: NetworkLimits
  readonly logger: Logger
  isClosed(): boolean
  /** False when no further socket may be opened (connection limit). */
  hasRoom(): boolean
  track(socket: Socket): void
  /** The socket is connected: start the handshake for `peer`. */
  connected(socket: Socket, peer: Peer): void
}

/**
 * Dials peers that have an address and no connection, with exponential backoff between tries.
 * A peer has at most one dial (socket or timer) at a time.
 */
export class Dialer {
  readonly #host: DialerHost

  constructor(host: DialerHost) {
    this.#host = host
  }

  dial(peer: Peer): void {
    const address = peer.address
    if (this.#host.isClosed() || address === undefined || peer.connected || peer.dialing || peer.dialTimer !== undefined) return
    if (!this.#host.hasRoom()) return this.failed(peer, 'too many connections')
    peer.dialing = true
    const pending = dialSocket(address.host, address.port, this.#host.limits.connectTimeoutMs)
    this.#host.track(pending.socket)
    peer.dialSocket = pending.socket
    pending.connected.then((socket) => {
      peer.dialSocket = undefined
      if (this.#host.isClosed() || peer.address !== address) {
        socket.destroy()
        peer.dialing = false
        return
      }
      this.#host.connected(socket, peer)
    }, (error: WichainError) => {
      peer.dialSocket = undefined
      this.failed(peer, error.message)
    })
  }

  /** The dial (or its handshake) failed: remember why and try again later. */
  failed(peer: Peer, reason: string): void {
    peer.dialing = false
    if (reason !== peer.lastError) this.#host.logger.info('dial failed', {peer: peer.publicKeyHex.slice(0, 16), reason})
    peer.lastError = reason
    this.schedule(peer)
  }

  schedule(peer: Peer): void {
    if (this.#host.isClosed() || peer.address === undefined || peer.connected || peer.dialing || peer.dialTimer !== undefined) return
    peer.reconnectAttempts += 1
    peer.dialTimer = setTimeout(() => {
      peer.dialTimer = undefined
      this.dial(peer)
    }, reconnectDelayMs(this.#host.limits, peer.reconnectAttempts))
  }
}
