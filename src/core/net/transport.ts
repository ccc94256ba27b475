/**
 * NetworkNode: the node-to-node transport (spec §8.4.5). Listens on host:port, dials the peer
 * list with exponential backoff, authenticates and encrypts every connection (handshake.ts,
 * secure-channel.ts), keeps one connection per peer, and carries messages tagged by channel.
 *
 * Delivery is best effort and in order per peer while a connection lasts: `send` to a peer that
 * is not connected returns false, a disconnect discards that peer's queue, and a full queue drops
 * its oldest messages. Consensus and sync retransmit above this layer.
 *
 * When both sides dial each other, both keep the same one connection (peer.ts
 * preferredConnection); the other is retired gracefully, so what was already sent on it still
 * arrives. Peers that only dialled in are forgotten when they disconnect; listed peers are redialled.
 */
import {createServer, type Server, type Socket} from 'node:net'
import {toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {createSigner, type Signer} from '../crypto/index.js'
import {type Logger, nullLogger} from '../log.js'
import {checkMessage, Connection, type ConnectionEvents} from './connection.js'
import {Dialer} from './dial.js'
import type {Channel} from './envelope.js'
import {callIsAllowed, Handshake, type IsAllowed} from './handshake.js'
import {networkIdBytes} from './handshake-messages.js'
import {type NetworkLimits, resolveLimits} from './options.js'
import {checkPeerAddress, normalizePublicKeyHex, Peer, type PeerAddress, type PeerStatus, preferredConnection} from './peer.js'
import type {DisconnectListener, MessageListener, NetworkNodeOptions, PeerListener} from './interface.js'
import {Listeners} from './listeners.js'

export class NetworkNode {
  readonly publicKeyHex: string
  readonly networkId: string
  readonly limits: NetworkLimits
  readonly #options: NetworkNodeOptions
  readonly #signer: Signer
  readonly #logger: Logger
  readonly #server: Server
  readonly #peers = new Map<string, Peer>()
  readonly #sockets = new Set<Socket>()
  readonly #connections = new Set<Connection>()
  readonly #dialedPeer = new Map<Connection, Peer>()
  readonly #messageListeners = new Listeners<MessageListener>()
  readonly #connectListeners = new Listeners<PeerListener>()
  readonly #disconnectListeners = new Listeners<DisconnectListener>()
  readonly #dialer: Dialer
  #isAllowed: IsAllowed
  #closed = false

  private constructor(options: NetworkNodeOptions, server: Server) {
    this.#options = options
    this.limits = resolveLimits(options.limits)
    this.#signer = createSigner(options.nodeKey)
    networkIdBytes(options.networkId)
    this.publicKeyHex = toHex(this.#signer.publicKey)
    this.networkId = options.networkId
    this.#isAllowed = options.isAllowed
    this.#logger = (options.logger ?? nullLogger).child({component: 'net', node: this.publicKeyHex.slice(0, 16)})
    this.#server = server
    this.#dialer = new Dialer({
      limits: this.limits, logger: this.#logger, isClosed: () => this.#closed, track: (socket) => this.#track(socket),
      hasRoom: () => this.#sockets.size < this.limits.connectionsMax,
      connected: (socket, peer) => this.#open(socket, new Handshake('initiator', this.#handshakeOptions(peer.publicKeyHex)), peer),
    })
    this.#messageListeners.onError = this.#connectListeners.onError = this.#disconnectListeners.onError =
      (error) => this.#logger.error('network listener threw', {error: String(error)})
  }

  /** Starts listening, then dials the configured peers. */
  static async start(options: NetworkNodeOptions): Promise<NetworkNode> {
    const node = new NetworkNode(options, createServer())
    const peers = (options.peers ?? []).map(checkPeerAddress) // fail before binding the port
    const server = node.#server
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new WichainError('UNAVAILABLE', `cannot listen: ${error.message}`, undefined, {cause: error})))
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
    })
    server.on('error', (error) => node.#logger.error('listener error', {error: error.message}))
    server.on('connection', (socket) => node.#accept(socket))
    const {port} = node.address()
    node.#logger.info('listening', {host: options.host ?? '127.0.0.1', port})
    for (const peer of peers) node.addPeer(peer)
    return node
  }

  address(): {host: string; port: number} {
    const bound = this.#server.address()
    if (bound === null || typeof bound === 'string') throw new WichainError('UNAVAILABLE', 'network node is not listening')
    return {host: bound.address, port: bound.port}
  }

  onMessage(listener: MessageListener): () => void {
    return this.#messageListeners.add(listener)
  }

  onPeerConnected(listener: PeerListener): () => void {
    return this.#connectListeners.add(listener)
  }

  onPeerDisconnected(listener: DisconnectListener): () => void {
    return this.#disconnectListeners.add(listener)
  }

  /**
   * Queues a message for a connected peer; false (message dropped) when it is not connected.
   * The body is sent as it is when its turn comes: do not modify it afterwards.
   */
  send(peerPublicKeyHex: string, channel: Channel, body: Uint8Array): boolean {
    checkMessage(this.limits, channel, body)
    const peer = this.#peers.get(normalizePublicKeyHex(peerPublicKeyHex))
    return peer === undefined ? false : this.#enqueue(peer, channel, body)
  }

  /** Queues a message for every connected peer; returns how many. */
  broadcast(channel: Channel, body: Uint8Array): number {
    checkMessage(this.limits, channel, body)
    let count = 0
    for (const peer of this.#peers.values()) if (this.#enqueue(peer, channel, body)) count += 1
    return count
  }

  peers(): PeerStatus[] {
    return [...this.#peers.values()].map((peer) => peer.status())
  }

  connectedPeers(): string[] {
    return [...this.#peers.values()].filter((peer) => peer.connected).map((peer) => peer.publicKeyHex)
  }

  /** Connections of every kind (handshaking, open, retiring duplicates); for status and tests. */
  get connectionCount(): number {
    return this.#connections.size
  }

  isConnected(peerPublicKeyHex: string): boolean {
    return this.#peers.get(normalizePublicKeyHex(peerPublicKeyHex))?.connected === true
  }

  /** Adds (or re-addresses) a peer to dial. */
  addPeer(address: PeerAddress): void {
    const checked = checkPeerAddress(address)
    if (checked.publicKey === this.publicKeyHex) throw new WichainError('INVALID_ARGUMENT', 'a node cannot list itself as a peer')
    let peer = this.#peers.get(checked.publicKey)
    if (peer === undefined) {
      if (this.#peers.size >= this.limits.peersMax) throw new WichainError('INVALID_ARGUMENT', `more than ${this.limits.peersMax} peers`)
      peer = new Peer(checked.publicKey, this.limits, checked)
      this.#peers.set(checked.publicKey, peer)
    }
    peer.address = checked
    this.#dialer.dial(peer)
  }

  /** Stops dialing a peer and disconnects it. Whether it may connect again is up to isAllowed. */
  removePeer(peerPublicKeyHex: string): void {
    const peer = this.#peers.get(normalizePublicKeyHex(peerPublicKeyHex))
    if (peer === undefined) return
    peer.address = undefined
    peer.stopDialing()
    for (const [connection, dialed] of this.#dialedPeer) if (dialed === peer) connection.destroy('peer removed')
    peer.dialSocket?.destroy()
    if (peer.connection !== undefined) peer.connection.destroy('peer removed')
    else this.#peers.delete(peer.publicKeyHex)
  }

  /** Replaces the allow-list callback and disconnects peers it no longer allows. */
  setAllowed(isAllowed: IsAllowed): void {
    this.#isAllowed = isAllowed
    this.refreshAllowed()
  }

  /** Re-checks connected peers against the allow list (call after the node list changed). */
  refreshAllowed(): void {
    for (const peer of this.#peers.values()) {
      if (peer.connection !== undefined && !this.#allowed(peer.publicKeyHex)) {
        this.#logger.warn('disconnecting peer no longer allowed', {peer: peer.publicKeyHex.slice(0, 16)})
        peer.connection.destroy('no longer on the allowed node list')
      }
    }
  }

  /** Ends every connection and timer and frees the port. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const peer of this.#peers.values()) peer.stopDialing()
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    for (const connection of [...this.#connections]) connection.destroy('network node closing')
    for (const socket of this.#sockets) socket.destroy()
    await closed
    this.#logger.info('closed')
  }

  #handshakeOptions(expectedRemoteKeyHex?: string): ConstructorParameters<typeof Handshake>[1] {
    return {
      signer: this.#signer, networkId: this.networkId, isAllowed: (key, id) => this.#isAllowed(key, id),
      ...(expectedRemoteKeyHex !== undefined ? {expectedRemoteKeyHex} : {}),
    }
  }

  #allowed(publicKeyHex: string): boolean {
    return callIsAllowed(this.#isAllowed, publicKeyHex, this.networkId)
  }

  #enqueue(peer: Peer, channel: Channel, body: Uint8Array): boolean {
    if (peer.connection === undefined) return false
    const dropped = peer.queue.push({channel, body})
    const report = dropped > 0 ? peer.dropsToReport(dropped, this.#now()) : 0
    if (report > 0) this.#logger.warn('send queue full; dropped oldest messages', {peer: peer.publicKeyHex.slice(0, 16), dropped: report})
    peer.scheduleFlush()
    return true
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket)
    socket.once('close', () => this.#sockets.delete(socket))
  }

  #accept(socket: Socket): void {
    if (this.#closed || this.#sockets.size >= this.limits.connectionsMax) {
      this.#logger.warn('refusing connection: too many connections', {remoteAddress: socket.remoteAddress})
      socket.destroy()
      return
    }
    this.#track(socket)
    this.#open(socket, new Handshake('responder', this.#handshakeOptions()))
  }

  #open(socket: Socket, handshake: Handshake, dialed?: Peer): void {
    const connection = new Connection({socket, handshake, limits: this.limits, logger: this.#logger, events: this.#events})
    this.#connections.add(connection)
    if (dialed !== undefined) this.#dialedPeer.set(connection, dialed)
  }

  readonly #events: ConnectionEvents = {
    onEstablished: (connection) => this.#onEstablished(connection),
    onMessage: (connection, channel, body) => {
      const from = connection.remoteKeyHex as string
      this.#messageListeners.emit((listener) => listener(from, channel, body))
    },
    onWritable: (connection) => {
      const peer = this.#peers.get(connection.remoteKeyHex as string)
      if (peer?.connection === connection) peer.flush()
    },
    onClosed: (connection, reason) => this.#onClosed(connection, reason),
  }

  #onEstablished(connection: Connection): void {
    const key = connection.remoteKeyHex as string
    const dialed = this.#dialedPeer.get(connection)
    if (dialed !== undefined) dialed.dialing = false
    if (this.#closed) return connection.destroy('network node closing')
    // The list may have changed while the handshake ran.
    if (!this.#allowed(key)) return connection.destroy('no longer on the allowed node list')
    let peer = this.#peers.get(key)
    if (peer === undefined) {
      if (this.#peers.size >= this.limits.peersMax) return connection.destroy('too many peers')
      peer = new Peer(key, this.limits)
      this.#peers.set(key, peer)
    }
    const existing = peer.connection
    if (existing !== undefined) {
      const keep = preferredConnection(existing, connection)
      const retired = keep === existing ? connection : existing
      if (keep === connection) peer.attach(connection, this.#now())
      retired.drain('duplicate connection')
      peer.flush()
      return
    }
    peer.attach(connection, this.#now())
    peer.stopDialing()
    peer.lastError = undefined
    this.#logger.info('peer connected', {peer: key.slice(0, 16), direction: connection.role === 'initiator' ? 'outbound' : 'inbound'})
    this.#connectListeners.emit((listener) => listener(key))
    peer.flush()
  }

  #onClosed(connection: Connection, reason: string): void {
    this.#connections.delete(connection)
    const dialed = this.#dialedPeer.get(connection)
    this.#dialedPeer.delete(connection)
    const key = connection.remoteKeyHex
    const peer = key === undefined ? undefined : this.#peers.get(key)
    if (peer !== undefined) peer.account(connection)
    if (peer !== undefined && peer.connection === connection) {
      peer.detach()
      peer.lastError = reason
      this.#logger.info('peer disconnected', {peer: peer.publicKeyHex.slice(0, 16), reason})
      if (peer.address === undefined) this.#peers.delete(peer.publicKeyHex)
      this.#disconnectListeners.emit((listener) => listener(peer.publicKeyHex, reason))
      this.#dialer.schedule(peer)
    }
    if (dialed !== undefined && !dialed.connected) this.#dialer.failed(dialed, reason)
  }

  #now(): number {
    return (this.#options.nowMs ?? Date.now)()
  }
}
