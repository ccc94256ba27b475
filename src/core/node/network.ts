/**
 * Wires one chain to the P2P network: consensus messages both ways, forwarding of client txs to
 * every peer (so whichever validator proposes has them), and block sync — on the engine's request
 * and by a periodic status poll, so a node that was down or is new catches up even on an idle
 * chain. Only validators and configured peers may connect.
 */
import type {Chain} from '../chain/chain.js'
import type {NodeMember} from '../chain/contracts/nodes.js'
import type {Genesis} from '../chain/genesis.js'
import type {SyncRequest} from '../consensus/engine.js'
import type {KeyPair} from '../crypto/sm2.js'
import type {Logger} from '../log.js'
import {CHANNELS, NetworkNode, SyncService} from '../net/index.js'
import type {NodeConfig} from './home.js'
import {
  decodeTxBatch, encodeTxBatch,
  decodeBlocksAnswer, decodeStatusAnswer, decodeSyncQuery, encodeBlocksAnswer, encodeStatusAnswer, encodeSyncQuery, SYNC_BLOCKS_PER_REQUEST_MAX,
} from './sync-protocol.js'

const SYNC_TIMEOUT_MS = 10_000
const STATUS_POLL_MS = 2_000
const FORWARD_DELAY_MS = 5
const FORWARD_BATCH_TXS_MAX = 512
const FORWARD_BATCH_BYTES_MAX = 1024 * 1024

export class ChainNetwork {
  private syncing = false
  private forwardQueue: Uint8Array[] = []
  private forwardBytes = 0
  private forwardTimer: NodeJS.Timeout | undefined
  private pollTimer: NodeJS.Timeout | undefined
  private chain!: Chain
  /** Members of the chain's node set (public key → member), as the last committed block left it. */
  private members = new Map<string, NodeMember>()

  private constructor(
    readonly network: NetworkNode,
    private readonly sync: SyncService,
    private readonly logger: Logger,
    /** Who may connect: configured peers plus the node set; mutated when the set changes. */
    private readonly allowed: Set<string>,
    private readonly configuredPeers: ReadonlySet<string>,
  ) {}

  static async start(options: {config: NodeConfig; genesis: Genesis; nodeKey: KeyPair; logger: Logger}): Promise<ChainNetwork> {
    const {config, genesis} = options
    const allowed = new Set([...genesis.validators.map((validator) => validator.publicKey), ...config.peers.map((peer) => peer.publicKey)])
    const network = await NetworkNode.start({
      nodeKey: options.nodeKey,
      networkId: genesis.chainId,
      isAllowed: (publicKey, networkId) => networkId === genesis.chainId && allowed.has(publicKey),
      host: config.p2p.host,
      port: config.p2p.port,
      peers: config.peers.map((peer) => ({publicKey: peer.publicKey, host: peer.p2p.host, port: peer.p2p.port})),
      logger: options.logger.child({component: 'net'}),
    })
    const sync = new SyncService(network, {logger: options.logger})
    const configuredPeers = new Set(config.peers.map((peer) => peer.publicKey))
    const chainNetwork = new ChainNetwork(network, sync, options.logger, allowed, configuredPeers)
    chainNetwork.members = new Map(genesis.validators.map((validator) => [validator.publicKey, {publicKey: validator.publicKey, name: validator.name, role: 'validator', address: ''}]))
    return chainNetwork
  }

  /**
   * The chain's node set changed (or was read at open): allow the members, dial added members
   * that have an address, and drop members that left (unless configured as peers).
   */
  updateMembers(members: readonly NodeMember[]): void {
    const self = this.network.publicKeyHex
    const next = new Map(members.map((member) => [member.publicKey, member]))
    for (const [publicKey] of this.members) {
      if (next.has(publicKey) || this.configuredPeers.has(publicKey)) continue
      this.allowed.delete(publicKey)
      if (publicKey !== self) this.network.removePeer(publicKey)
    }
    for (const member of members) {
      this.allowed.add(member.publicKey)
      const known = this.members.get(member.publicKey)
      if (member.publicKey === self || member.address === '' || known?.address === member.address) continue
      const port = Number(member.address.slice(member.address.lastIndexOf(':') + 1))
      const host = member.address.slice(0, member.address.lastIndexOf(':')).replace(/^\[|\]$/g, '')
      try {
        this.network.addPeer({publicKey: member.publicKey, host, port})
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
      onSyncRequest: (request: SyncRequest) => void this.syncFrom(request.peer),
    }
  }

  attach(chain: Chain): void {
    this.chain = chain
    this.network.onMessage((from, channel, body) => {
      if (channel === CHANNELS.consensus) void chain.step(from, body)
      else if (channel === CHANNELS.tx) this.admitForwarded(chain, body)
    })
    this.network.onPeerConnected(() => void this.syncFrom(undefined))
    this.sync.onRequest(async (_from, bytes) => {
      const query = decodeSyncQuery(bytes)
      if (query.type === 'status') return encodeStatusAnswer(chain.head())
      return encodeBlocksAnswer(await chain.committedBlocks(query.from, query.count))
    })
    this.pollTimer = setInterval(() => void this.syncFrom(undefined), STATUS_POLL_MS)
  }

  /**
   * Client txs go to every peer in batches (one frame per few ms instead of one per tx: each frame
   * costs an SM4 + HMAC-SM3 pass and a syscall on both sides).
   */
  private forward(bytes: Uint8Array): void {
    this.forwardQueue.push(bytes)
    this.forwardBytes += bytes.length
    if (this.forwardQueue.length >= FORWARD_BATCH_TXS_MAX || this.forwardBytes >= FORWARD_BATCH_BYTES_MAX) this.flushForwarded()
    else this.forwardTimer ??= setTimeout(() => this.flushForwarded(), FORWARD_DELAY_MS)
  }

  private flushForwarded(): void {
    if (this.forwardTimer !== undefined) clearTimeout(this.forwardTimer)
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

  peerCount(): number {
    return this.network.connectedPeers().length
  }

  /** Pull blocks from `peer` (or the most advanced connected peer) until we reach its head. */
  private async syncFrom(peer: string | undefined): Promise<void> {
    if (this.syncing || this.chain === undefined) return
    this.syncing = true
    try {
      const target = peer ?? (await this.bestPeer())
      if (target === undefined) return
      for (;;) {
        const from = this.chain.head().height + 1
        const answer = await this.sync.request(target, encodeSyncQuery({type: 'blocks', from, count: SYNC_BLOCKS_PER_REQUEST_MAX}), SYNC_TIMEOUT_MS)
        const blocks = decodeBlocksAnswer(answer)
        if (blocks.length === 0) return
        for (const block of blocks) {
          if (!(await this.chain.applySynced(block))) return
        }
        this.logger.info('synced blocks', {from, to: this.chain.head().height, peer: target.slice(0, 16)})
        if (blocks.length < SYNC_BLOCKS_PER_REQUEST_MAX) return
      }
    } catch (error) {
      this.logger.debug('sync attempt failed', {error: (error as Error).message})
    } finally {
      this.syncing = false
    }
  }

  private async bestPeer(): Promise<string | undefined> {
    let best: {peer: string; height: number} | undefined
    const ours = this.chain.head().height
    await Promise.all(
      this.network.connectedPeers().map(async (peer) => {
        try {
          const status = decodeStatusAnswer(await this.sync.request(peer, encodeSyncQuery({type: 'status'}), SYNC_TIMEOUT_MS))
          if (status.height > ours && (best === undefined || status.height > best.height)) best = {peer, height: status.height}
        } catch {
          // an unreachable peer is simply not a sync source this round
        }
      }),
    )
    return best?.peer
  }

  peers() {
    return this.network.peers().map((peer) => ({
      publicKey: peer.publicKey,
      address: peer.host === undefined ? undefined : `${peer.host}:${peer.port}`,
      connected: peer.connected,
      since: peer.since,
      messagesIn: peer.messagesIn,
      messagesOut: peer.messagesOut,
      lastError: peer.lastError,
    }))
  }

  async close(): Promise<void> {
    this.flushForwarded()
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer)
    this.sync.close()
    await this.network.close()
  }
}
