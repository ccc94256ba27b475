/**
 * Wires one chain to the P2P network: consensus messages both ways, forwarding of client txs to
 * every peer (so whichever validator proposes has them), and block sync — on the engine's request
 * and by a periodic status poll, so a node that was down or is new catches up even on an idle
 * chain. Only validators and configured peers may connect. The same poll feeds peer health: a
 * peer down or lagging for too long is logged as a warning (rate-limited), its recovery as info.
 */
import {fromHex, toHex} from '../bytes.js'
import type {Chain} from '../chain/chain.js'
import type {NodeMember} from '../chain/contracts/nodes.js'
import type {Genesis} from '../chain/genesis.js'
import type {SyncRequest} from '../consensus/engine.js'
import type {KeyPair} from '../crypto/sm2.js'
import type {Logger} from '../log.js'
import {CHANNELS, NetworkNode, SyncService, type PeerAddress} from '../net/index.js'
import type {DisconnectListener, MessageListener, PeerListener} from '../net/interface.js'
import type {Channel} from '../net/envelope.js'
import {encodeHeadersAnswer, serveHeaders} from './header-sync.js'
import type {NodeConfig} from './home.js'
import {PEER_HEALTH_DEFAULTS, PeerHealth, type PeerHealthEvent, type PeerObservation} from './peer-health.js'
import {FORWARD_BATCH_BYTES_MAX, FORWARD_BATCH_TXS_MAX, SYNC_ANSWER_BYTES_MAX, TX_BATCH_TXS_MAX} from '../limits.js'
import {decodeTx} from '../types/tx.js'
import {BlockSync, type SyncState} from './block-sync.js'
import {
  decodeTxBatch, encodeTxBatch,
  decodeSyncQuery, encodeBlocksAnswer, encodeStatusAnswer, encodeSyncQuery, type SyncQuery,
} from './sync-protocol.js'

const SYNC_TIMEOUT_MS = 10_000
const STATUS_POLL_MS = 2_000
const FORWARD_DELAY_MS = 5

/**
 * What a chain needs from the P2P layer: a NetworkNode in a node process, a simulated network in
 * the whole-node simulator (sim/). Peers are named by public key (hex).
 */
export interface PeerNetwork {
  readonly publicKeyHex: string
  send(peer: string, channel: Channel, body: Uint8Array): boolean
  broadcast(channel: Channel, body: Uint8Array): number
  onMessage(listener: MessageListener): () => void
  onPeerConnected(listener: PeerListener): () => void
  onPeerDisconnected(listener: DisconnectListener): () => void
  connectedPeers(): string[]
  isConnected(peer: string): boolean
  peers(): readonly {publicKey: string; connected: boolean; host?: string; port?: number; since?: number; messagesIn?: number; messagesOut?: number; lastError?: string}[]
  addPeer(address: PeerAddress): void
  removePeer(peer: string): void
  refreshAllowed(): void
  close(): Promise<void>
}

/** Time for the network layer: the real clock and timers, or the simulator's. */
export interface Timers {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export const REAL_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
}

export interface ChainNetworkOptions {
  readonly network: PeerNetwork
  readonly genesis: Genesis
  /** Peers from the node's config (always allowed, dialled at start). */
  readonly configuredPeers: readonly PeerAddress[]
  /** Who may connect: mutated when the node set changes; the network consults it at handshakes. */
  readonly allowed: Set<string>
  readonly logger: Logger
  readonly timers?: Timers
}

export class ChainNetwork {
  private blockSync: BlockSync | undefined
  private forwardQueue: Uint8Array[] = []
  private forwardBytes = 0
  private forwardTimer: unknown
  private pollTimer: unknown
  private chain!: Chain
  /** Members of the chain's node set (public key → member), as the last committed block left it. */
  private members = new Map<string, NodeMember>()
  /** Dial addresses of the configured peers, to dial one again once it is enabled after a `nodes.disable`. */
  private configuredAddresses: ReadonlyMap<string, PeerAddress> = new Map()
  private readonly health: PeerHealth
  readonly network: PeerNetwork
  private readonly sync: SyncService
  private readonly logger: Logger
  /** Who may connect: configured peers plus the node set; mutated when the set changes. */
  private readonly allowed: Set<string>
  private readonly configuredPeers: ReadonlySet<string>
  private readonly timers: Timers

  /** Over any PeerNetwork (the simulator's, or a started NetworkNode: see `start`). */
  constructor(options: ChainNetworkOptions) {
    const {genesis} = options
    this.network = options.network
    this.logger = options.logger
    this.allowed = options.allowed
    this.timers = options.timers ?? REAL_TIMERS
    this.sync = new SyncService(options.network, {logger: options.logger, timers: this.timers})
    this.health = new PeerHealth({...PEER_HEALTH_DEFAULTS, now: () => this.timers.now()})
    this.configuredPeers = new Set(options.configuredPeers.map((peer) => peer.publicKey))
    this.members = new Map(genesis.validators.map((validator) => [validator.publicKey, {publicKey: validator.publicKey, name: validator.name, role: 'validator', address: ''}]))
    this.configuredAddresses = new Map(options.configuredPeers.map((peer) => [peer.publicKey, peer]))
  }

  /** Starts the node's TCP network for one chain and wires it. */
  static async start(options: {config: NodeConfig; genesis: Genesis; nodeKey: KeyPair; logger: Logger}): Promise<ChainNetwork> {
    const {config, genesis} = options
    const configuredPeers = config.peers.map((peer) => ({publicKey: peer.publicKey, host: peer.p2p.host, port: peer.p2p.port}))
    const allowed = new Set([...genesis.validators.map((validator) => validator.publicKey), ...configuredPeers.map((peer) => peer.publicKey)])
    const network = await NetworkNode.start({
      nodeKey: options.nodeKey,
      networkId: genesis.chainId,
      isAllowed: (publicKey, networkId) => networkId === genesis.chainId && allowed.has(publicKey),
      host: config.p2p.host,
      port: config.p2p.port,
      peers: configuredPeers,
      logger: options.logger.child({component: 'net'}),
    })
    return new ChainNetwork({network, genesis, configuredPeers, allowed, logger: options.logger})
  }

  /**
   * The chain's node set changed (or was read at open): allow the members, dial added or
   * re-enabled members that have an address, and drop members that left (unless configured as
   * peers) or were disabled (even configured peers): their live connections are closed and they
   * are refused at the handshake until enabled again.
   */
  updateMembers(members: readonly NodeMember[]): void {
    const self = this.network.publicKeyHex
    const next = new Map(members.map((member) => [member.publicKey, member]))
    const mayConnect = (publicKey: string): boolean =>
      next.get(publicKey)?.disabled !== true && (next.has(publicKey) || this.configuredPeers.has(publicKey))
    for (const publicKey of [...this.allowed]) {
      if (mayConnect(publicKey)) continue
      this.allowed.delete(publicKey)
      if (publicKey !== self) this.network.removePeer(publicKey)
    }
    for (const member of members) {
      if (member.disabled === true) continue
      const wasAllowed = this.allowed.has(member.publicKey)
      this.allowed.add(member.publicKey)
      const known = this.members.get(member.publicKey)
      if (member.publicKey === self) continue
      const address = member.address === '' ? this.configuredAddresses.get(member.publicKey) : parseAddress(member.publicKey, member.address)
      // Dial what is new to us: a member just added or enabled, or one whose address changed.
      if (address === undefined || (wasAllowed && (member.address === '' || known?.address === member.address))) continue
      try {
        this.network.addPeer(address)
      } catch (error) {
        this.logger.warn('cannot dial new node', {publicKey: member.publicKey.slice(0, 16), error: (error as Error).message})
      }
    }
    this.members = next
    this.network.refreshAllowed()
  }

  /** Hooks for Chain.open: outbound consensus, tx forwarding, engine sync requests. */
  chainHooks() {
    return {
      send: (to: string, bytes: Uint8Array) => {
        if (to === 'broadcast') this.network.broadcast(CHANNELS.consensus, bytes)
        else this.network.send(to, CHANNELS.consensus, bytes)
      },
      onTxAdmitted: (tx: {bytes: Uint8Array}) => this.forward(tx.bytes),
      onSyncRequest: (request: SyncRequest) => this.onSyncRequest(request),
      fetchTxs: (hashes: readonly string[], peer: string | undefined) => this.fetchTxs(hashes, peer),
    }
  }

  /**
   * Txs by hash from peers (a compact proposal named txs we lack): the preferred peer first, then
   * the others. Answers are bounded by bytes, so a peer is asked again for what it did not return
   * as long as it returns something; then the next peer is asked for the rest.
   */
  private async fetchTxs(hashes: readonly string[], preferred: string | undefined): Promise<Uint8Array[]> {
    const remaining = new Set(hashes)
    const connected = this.network.connectedPeers()
    const order = preferred !== undefined && connected.includes(preferred) ? [preferred, ...connected.filter((peer) => peer !== preferred)] : connected
    const found: Uint8Array[] = []
    for (const peer of order) {
      try {
        while (remaining.size > 0) {
          const chunk = [...remaining].slice(0, TX_BATCH_TXS_MAX)
          const txs = decodeTxBatch(await this.sync.request(peer, encodeSyncQuery({type: 'txs', hashes: chunk.map((hash) => fromHex(hash, 'tx hash'))}), SYNC_TIMEOUT_MS))
          if (txs.length === 0) break
          // A peer answers only what it holds; the chain checks every tx against the proposal.
          found.push(...txs)
          const answered = new Set(txs.map((tx) => txHashOf(tx)))
          let progressed = false
          for (const hash of chunk) {
            if (answered.has(hash)) {
              remaining.delete(hash)
              progressed = true
            }
          }
          if (!progressed) break
        }
      } catch (error) {
        this.logger.debug('tx fetch from a peer failed', {peer: peer.slice(0, 16), error: (error as Error).message})
      }
      if (remaining.size === 0) break
    }
    return found
  }

  attach(chain: Chain): void {
    this.chain = chain
    this.network.onMessage((from, channel, body) => {
      if (channel === CHANNELS.consensus) void chain.step(from, body)
      else if (channel === CHANNELS.tx) this.admitForwarded(chain, body)
    })
    this.blockSync = new BlockSync({
      chain,
      peers: () => this.network.connectedPeers(),
      request: (peer, query) => this.request(peer, query),
      now: () => this.timers.now(),
      logger: this.logger,
      onPeerHeight: (peer, height) => this.health.recordHeight(peer, height),
    })
    this.network.onPeerConnected(() => void this.blockSync?.poll())
    this.network.onPeerDisconnected((peer) => this.blockSync?.forgetPeer(peer))
    this.sync.onRequest(async (_from, bytes) => {
      const query = decodeSyncQuery(bytes)
      if (query.type === 'status') return encodeStatusAnswer(chain.head())
      // Every answer is bounded by bytes as well as count, and carries at least one item.
      if (query.type === 'txs') return encodeTxBatch(await chain.txsByHash(query.hashes.map((hash) => toHex(hash)), SYNC_ANSWER_BYTES_MAX))
      if (query.type === 'headers') return encodeHeadersAnswer(await serveHeaders(chain, query.from, query.count))
      return encodeBlocksAnswer(await chain.committedBlocks(query.from, query.count, SYNC_ANSWER_BYTES_MAX))
    })
    this.pollTimer = this.timers.setInterval(() => {
      void this.blockSync?.poll()
      this.checkPeerHealth()
    }, STATUS_POLL_MS)
  }

  /**
   * Client txs go to every peer in batches (one frame per few ms instead of one per tx: each frame
   * costs an SM4 + HMAC-SM3 pass and a syscall on both sides). Bounded: a batch is sent as soon as
   * it holds FORWARD_BATCH_TXS_MAX txs or FORWARD_BATCH_BYTES_MAX bytes (limits.ts "Queues").
   */
  private forward(bytes: Uint8Array): void {
    this.forwardQueue.push(bytes)
    this.forwardBytes += bytes.length
    if (this.forwardQueue.length >= FORWARD_BATCH_TXS_MAX || this.forwardBytes >= FORWARD_BATCH_BYTES_MAX) this.flushForwarded()
    else this.forwardTimer ??= this.timers.setTimeout(() => this.flushForwarded(), FORWARD_DELAY_MS)
  }

  private flushForwarded(): void {
    if (this.forwardTimer !== undefined) this.timers.clearTimeout(this.forwardTimer)
    this.forwardTimer = undefined
    if (this.forwardQueue.length === 0) return
    const batch = encodeTxBatch(this.forwardQueue)
    this.forwardQueue = []
    this.forwardBytes = 0
    this.network.broadcast(CHANNELS.tx, batch)
  }

  private admitForwarded(chain: Chain, body: Uint8Array): void {
    let txs: Uint8Array[]
    try {
      txs = decodeTxBatch(body)
    } catch (error) {
      this.logger.debug('dropped a malformed tx batch', {error: (error as Error).message})
      return
    }
    // Refusals are normal here (a tx seen twice, or one that expired on the way); nothing to answer.
    for (const tx of txs) chain.submitTx(tx, {fromPeer: true}).catch(() => undefined)
  }

  /** One sync request (a header-only node syncs through this instead of attaching a Chain). */
  request(peer: string, query: SyncQuery): Promise<Uint8Array> {
    return this.sync.request(peer, encodeSyncQuery(query), SYNC_TIMEOUT_MS)
  }

  peerCount(): number {
    return this.network.connectedPeers().length
  }

  /** The engine cannot go on from consensus messages alone: a peer has blocks up to `toHeight`. */
  private onSyncRequest(request: SyncRequest): void {
    if (this.blockSync === undefined) return
    if (request.peer !== undefined) this.blockSync.notePeerHeight(request.peer, request.toHeight)
    void this.blockSync.catchUp()
  }

  /** Sync state of the attached chain (undefined for a header-only node). */
  syncState(): SyncState | undefined {
    return this.blockSync?.state()
  }

  /**
   * The peers this chain expects or has: every connection plus every other member of the node
   * set and every configured peer (a member never heard from is listed as not connected).
   */
  private observePeers(): PeerObservation[] {
    const observed = new Map<string, PeerObservation>()
    for (const peer of this.network.peers()) {
      observed.set(peer.publicKey, {publicKey: peer.publicKey, connected: peer.connected, name: this.members.get(peer.publicKey)?.name, lastError: peer.lastError})
    }
    const self = this.network.publicKeyHex
    for (const publicKey of [...this.members.keys(), ...this.configuredPeers]) {
      // A disabled node is kept out on purpose: not a peer to expect or to warn about.
      if (this.members.get(publicKey)?.disabled === true) continue
      if (publicKey !== self && !observed.has(publicKey)) observed.set(publicKey, {publicKey, connected: false, name: this.members.get(publicKey)?.name})
    }
    return [...observed.values()]
  }

  private checkPeerHealth(): void {
    const log = (event: PeerHealthEvent): void => this.logger[event.level](event.message, event.context)
    this.health.check(this.chain.head().height, this.observePeers()).forEach(log)
  }

  peers() {
    const statuses = new Map(this.network.peers().map((peer) => [peer.publicKey, peer]))
    return this.observePeers().map(({publicKey, connected, name}) => {
      const peer = statuses.get(publicKey)
      const health = this.health.state(publicKey)
      return {
        publicKey,
        name,
        address: peer?.host === undefined ? this.members.get(publicKey)?.address || undefined : `${peer.host}:${peer.port}`,
        connected,
        health: health?.condition,
        height: health?.height,
        since: peer?.since,
        messagesIn: peer?.messagesIn ?? 0,
        messagesOut: peer?.messagesOut ?? 0,
        lastError: peer?.lastError,
      }
    })
  }

  async close(): Promise<void> {
    this.blockSync?.close()
    this.flushForwarded()
    if (this.pollTimer !== undefined) this.timers.clearInterval(this.pollTimer)
    this.sync.close()
    await this.network.close()
  }
}

/** The hash of fetched tx bytes; undecodable bytes match nothing (the chain refuses them anyway). */
function txHashOf(bytes: Uint8Array): string {
  try {
    return decodeTx(bytes).hashHex
  } catch {
    return ''
  }
}

/** A member's `host:port` (IPv6 hosts in brackets) as a dial address. */
function parseAddress(publicKey: string, address: string): PeerAddress {
  const colon = address.lastIndexOf(':')
  return {publicKey, host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1))}
}
