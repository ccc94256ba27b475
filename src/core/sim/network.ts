/**
 * The simulated P2P network: one `SimNetwork` shared by the run, one `SimEndpoint` (a
 * `PeerNetwork`, what ChainNetwork talks to) per running node incarnation. Connections behave
 * like the real transport's: a link comes up when both ends are running, one dials the other, both
 * allow the other (the `allowed` sets ChainNetwork keeps) and no partition separates them; both
 * ends then hear onPeerConnected. Messages are copied and delivered later on the virtual clock, in
 * order per direction (TCP) unless a reorder fault lets one overtake. Seeded faults: silent drops
 * (what a full send queue does), connection resets (in-flight messages lost, reconnect later),
 * duplicates, reorders, latency with a bandwidth term, partitions. A message larger than the
 * frame limit throws PAYLOAD_TOO_LARGE at `send`, as the real transport does.
 */
import type {SimRandom} from '../consensus/sim/random.js'
import {WichainError} from '../errors.js'
import {MESSAGE_BYTES_MAX} from '../limits.js'
import type {Channel} from '../net/envelope.js'
import type {DisconnectListener, MessageListener, PeerListener} from '../net/interface.js'
import type {PeerAddress} from '../net/peer.js'
import type {PeerNetwork} from '../node/network.js'
import type {VirtualClock} from './clock.js'

export interface NetworkFaults {
  /** Probability a message is silently lost (a full send queue drops messages). */
  readonly dropRate: number
  /** Probability a send resets the connection: that message and all in flight on the link are lost. */
  readonly resetRate: number
  readonly duplicateRate: number
  /** Probability a message skips the per-direction FIFO and may overtake later ones. */
  readonly reorderRate: number
  readonly latencyMinMs: number
  readonly latencyMaxMs: number
}

export const NO_FAULTS: NetworkFaults = {dropRate: 0, resetRate: 0, duplicateRate: 0, reorderRate: 0, latencyMinMs: 1, latencyMaxMs: 5}

export interface SimNetworkOptions {
  readonly clock: VirtualClock
  readonly random: SimRandom
  faults: NetworkFaults
  /** Largest message body (default the real frame's); sync answers must fit it. */
  readonly messageBytesMax?: number
  /** Link throughput, bytes per virtual ms (default 100 MB/s). */
  readonly bytesPerMs?: number
  /** Delay before a wanted link comes up (dial + handshake) and after a reset. */
  readonly connectDelayMs?: number
}

interface Link {
  connected: boolean
  connecting: boolean
  epoch: number
  /** No reconnect before this time (after a reset). */
  downUntil: number
  /** Per direction ("a>b"): the latest scheduled delivery, for FIFO order. */
  readonly lastDelivery: Map<string, number>
}

export class SimNetwork {
  private readonly endpoints = new Map<string, SimEndpoint>()
  private readonly links = new Map<string, Link>()
  /** Partition: node → side; nodes on different sides cannot connect. Empty: no partition. */
  private sides = new Map<string, number>()
  private traceHash = 0x811c9dc5
  messages = 0
  readonly messageBytesMax: number

  constructor(readonly options: SimNetworkOptions) {
    this.messageBytesMax = options.messageBytesMax ?? MESSAGE_BYTES_MAX
  }

  /** A running incarnation of node `publicKeyHex`; its old endpoint must have been closed. */
  endpoint(publicKeyHex: string, allowed: Set<string>, dials: readonly string[], hooks: EndpointHooks = {}): SimEndpoint {
    const endpoint = new SimEndpoint(this, publicKeyHex, allowed, new Set(dials), hooks)
    this.endpoints.set(publicKeyHex, endpoint)
    this.reconcileSoon()
    return endpoint
  }

  /** A run-wide fingerprint of every delivery (time, ends, channel, size): equal runs have equal traces. */
  get trace(): string {
    return (this.traceHash >>> 0).toString(16).padStart(8, '0')
  }

  /** Every traced event as text, when a caller wants to find where two runs diverge. */
  traceLines: string[] | undefined

  mix(...values: readonly (number | string)[]): void {
    this.traceLines?.push(values.join(' '))
    let hash = this.traceHash
    for (const value of values) {
      const text = String(value)
      for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
      hash = Math.imul(hash ^ 0x2c, 0x01000193)
    }
    this.traceHash = hash
  }

  partition(groups: readonly (readonly string[])[]): void {
    this.sides = new Map(groups.flatMap((group, side) => group.map((node) => [node, side] as const)))
    this.reconcile()
  }

  heal(): void {
    this.sides = new Map()
    this.reconcile()
  }

  private link(a: string, b: string): Link {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`
    let link = this.links.get(key)
    if (link === undefined) {
      link = {connected: false, connecting: false, epoch: 0, downUntil: 0, lastDelivery: new Map()}
      this.links.set(key, link)
    }
    return link
  }

  private wanted(a: SimEndpoint, b: SimEndpoint, link: Link): boolean {
    if (a.closed || b.closed || this.options.clock.now() < link.downUntil) return false
    if ((this.sides.get(a.publicKeyHex) ?? 0) !== (this.sides.get(b.publicKeyHex) ?? 0)) return false
    return (a.dials.has(b.publicKeyHex) || b.dials.has(a.publicKeyHex)) && a.allowed.has(b.publicKeyHex) && b.allowed.has(a.publicKeyHex)
  }

  reconcileSoon(): void {
    this.options.clock.schedule(0, () => this.reconcile())
  }

  /** Brings every link to its wanted state: drops what may no longer connect, dials what may. */
  reconcile(): void {
    const running = [...this.endpoints.values()]
    for (let i = 0; i < running.length; i++) {
      for (let j = i + 1; j < running.length; j++) {
        const a = running[i]!
        const b = running[j]!
        const link = this.link(a.publicKeyHex, b.publicKeyHex)
        const wanted = this.wanted(a, b, link)
        if (!wanted && link.connected) this.disconnect(a, b, link, 'connection closed')
        if (wanted && !link.connected && !link.connecting) {
          link.connecting = true
          this.options.clock.schedule(this.options.connectDelayMs ?? 20, () => {
            link.connecting = false
            if (link.connected || !this.wanted(a, b, link) || this.endpoints.get(a.publicKeyHex) !== a || this.endpoints.get(b.publicKeyHex) !== b) return
            link.connected = true
            link.epoch += 1
            link.lastDelivery.clear()
            this.mix('up', this.options.clock.now(), a.publicKeyHex.slice(0, 8), b.publicKeyHex.slice(0, 8))
            a.connected(b.publicKeyHex)
            b.connected(a.publicKeyHex)
          })
        }
      }
    }
  }

  private disconnect(a: SimEndpoint, b: SimEndpoint, link: Link, reason: string): void {
    link.connected = false
    link.epoch += 1
    this.mix('down', this.options.clock.now(), a.publicKeyHex.slice(0, 8), b.publicKeyHex.slice(0, 8))
    a.disconnected(b.publicKeyHex, reason)
    b.disconnected(a.publicKeyHex, reason)
  }

  /** One message from `from` to `to` over their link (false when not connected). */
  transmit(from: SimEndpoint, to: string, channel: Channel, body: Uint8Array): boolean {
    const target = this.endpoints.get(to)
    if (target === undefined || target.closed) return false
    const link = this.link(from.publicKeyHex, to)
    if (!link.connected) return false
    const {random, faults, clock} = this.options
    this.messages += 1
    this.mix('send', clock.now(), from.publicKeyHex.slice(0, 8), to.slice(0, 8), channel, body.length)
    if (random.chance(faults.resetRate)) {
      link.downUntil = clock.now() + (this.options.connectDelayMs ?? 20) * 5
      this.disconnect(from, target, link, 'connection reset (simulated)')
      clock.schedule(link.downUntil - clock.now(), () => this.reconcile())
      return true
    }
    if (random.chance(faults.dropRate)) return true
    const copy = body.slice()
    const copies = random.chance(faults.duplicateRate) ? 2 : 1
    for (let n = 0; n < copies; n++) {
      const direction = `${from.publicKeyHex}>${to}`
      const transfer = Math.ceil(copy.length / (this.options.bytesPerMs ?? 100_000))
      let at = clock.now() + random.between(faults.latencyMinMs, faults.latencyMaxMs) + transfer
      if (!random.chance(faults.reorderRate)) at = Math.max(at, link.lastDelivery.get(direction) ?? 0)
      link.lastDelivery.set(direction, Math.max(at, link.lastDelivery.get(direction) ?? 0))
      const epoch = link.epoch
      clock.schedule(at - clock.now(), () => {
        if (!link.connected || link.epoch !== epoch || this.endpoints.get(to) !== target || target.closed) return
        this.mix(clock.now(), from.publicKeyHex.slice(0, 8), to.slice(0, 8), channel, copy.length)
        target.deliver(from.publicKeyHex, channel, copy)
      })
    }
    return true
  }

  /** Called by an endpoint's close: its links go down now. */
  closed(endpoint: SimEndpoint): void {
    for (const other of this.endpoints.values()) {
      if (other === endpoint) continue
      const link = this.link(endpoint.publicKeyHex, other.publicKeyHex)
      if (link.connected) this.disconnect(endpoint, other, link, 'peer went away')
    }
    if (this.endpoints.get(endpoint.publicKeyHex) === endpoint) this.endpoints.delete(endpoint.publicKeyHex)
  }
}

export interface EndpointHooks {
  /** Rewrites (or drops, with undefined) each outgoing message: a Byzantine node's transport. */
  readonly outgoing?: (to: string, channel: Channel, body: Uint8Array) => Uint8Array | undefined
}

export class SimEndpoint implements PeerNetwork {
  closed = false
  private readonly messageListeners = new Set<MessageListener>()
  private readonly connectListeners = new Set<PeerListener>()
  private readonly disconnectListeners = new Set<DisconnectListener>()
  private readonly connections = new Map<string, {since: number; messagesIn: number; messagesOut: number}>()
  private readonly lastErrors = new Map<string, string>()

  constructor(
    private readonly network: SimNetwork,
    readonly publicKeyHex: string,
    readonly allowed: Set<string>,
    readonly dials: Set<string>,
    private readonly hooks: EndpointHooks,
  ) {}

  send(peer: string, channel: Channel, body: Uint8Array): boolean {
    this.check(body)
    const connection = this.connections.get(peer)
    if (connection === undefined || this.closed) return false
    const bytes = this.hooks.outgoing === undefined ? body : this.hooks.outgoing(peer, channel, body)
    if (bytes === undefined) return true
    connection.messagesOut += 1
    return this.network.transmit(this, peer, channel, bytes)
  }

  broadcast(channel: Channel, body: Uint8Array): number {
    this.check(body)
    let count = 0
    for (const peer of [...this.connections.keys()]) if (this.send(peer, channel, body)) count += 1
    return count
  }

  private check(body: Uint8Array): void {
    if (body.length > this.network.messageBytesMax) throw new WichainError('PAYLOAD_TOO_LARGE', `message of ${body.length} bytes exceeds ${this.network.messageBytesMax}`)
  }

  onMessage(listener: MessageListener): () => void {
    this.messageListeners.add(listener)
    return () => this.messageListeners.delete(listener)
  }

  onPeerConnected(listener: PeerListener): () => void {
    this.connectListeners.add(listener)
    return () => this.connectListeners.delete(listener)
  }

  onPeerDisconnected(listener: DisconnectListener): () => void {
    this.disconnectListeners.add(listener)
    return () => this.disconnectListeners.delete(listener)
  }

  connectedPeers(): string[] {
    return [...this.connections.keys()]
  }

  isConnected(peer: string): boolean {
    return this.connections.has(peer)
  }

  peers() {
    const known = new Set([...this.dials, ...this.connections.keys()])
    return [...known].map((publicKey) => {
      const connection = this.connections.get(publicKey)
      return {publicKey, connected: connection !== undefined, since: connection?.since, messagesIn: connection?.messagesIn ?? 0, messagesOut: connection?.messagesOut ?? 0, lastError: this.lastErrors.get(publicKey)}
    })
  }

  addPeer(address: PeerAddress): void {
    this.dials.add(address.publicKey)
    this.network.reconcileSoon()
  }

  removePeer(peer: string): void {
    this.dials.delete(peer)
    this.network.reconcile()
  }

  refreshAllowed(): void {
    this.network.reconcile()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.network.closed(this)
    this.messageListeners.clear()
    this.connectListeners.clear()
    this.disconnectListeners.clear()
  }

  connected(peer: string): void {
    this.connections.set(peer, {since: this.network.options.clock.now(), messagesIn: 0, messagesOut: 0})
    for (const listener of [...this.connectListeners]) listener(peer)
  }

  disconnected(peer: string, reason: string): void {
    if (!this.connections.delete(peer)) return
    this.lastErrors.set(peer, reason)
    for (const listener of [...this.disconnectListeners]) listener(peer, reason)
  }

  deliver(from: string, channel: Channel, body: Uint8Array): void {
    const connection = this.connections.get(from)
    if (connection !== undefined) connection.messagesIn += 1
    for (const listener of [...this.messageListeners]) listener(from, channel, body)
  }
}
