/**
 * The node: hosts the chains of one home, ticks their consensus engines, connects multi-node
 * chains to their peers, and reports status (with the figures monitoring needs; listeners hear
 * each committed block). The RPC server and the Prometheus registry live in the API layer.
 * A chain that faults halts by itself (chain/halt.ts); the node keeps hosting it, and reports
 * it in status and `haltedChains()` (/health).
 */
import {toHex} from '../bytes.js'
import type {BlockCommittedEvent, Chain} from '../chain/chain.js'
import type {HaltRecord} from '../chain/halt.js'
import type {Genesis} from '../chain/genesis.js'
import {readKeystoreFile, type KeyPair} from '../crypto/index.js'
import {WichainError} from '../errors.js'
import {HALT_REMINDER_INTERVAL_MS} from '../limits.js'
import type {Logger} from '../log.js'
import {ChainFigures} from './chain-figures.js'
import {openChainRuntime} from './chain-runtime.js'
import {HeaderChain} from './header-chain.js'
import {HeaderFollower} from './header-follower.js'
import {chainDataPath, headerDataPath, homePath, readGenesisFile, readNodeConfig, type NodeConfig} from './home.js'
import {ChainNetwork} from './network.js'
import type {SyncState} from './block-sync.js'

export {CONSENSUS_TICK_MS, engineFactory} from './chain-runtime.js'

export interface NodeOptions {
  readonly home: string
  readonly logger: Logger
  /** Password for an encrypted node keystore. */
  readonly password?: string
}

/** A chain without peers (solo) is always following its own head. */
function soloSyncState(height: number): SyncState {
  return {state: 'following', height, target: height, gap: 0, blocksPerSec: 0, etaSec: null, lastError: undefined, failures: 0, inFlight: 0}
}

export class Node {
  readonly config: NodeConfig
  private readonly chains = new Map<string, Chain>()
  private readonly networks = new Map<string, ChainNetwork>()
  private readonly figures = new Map<string, ChainFigures>()
  /** Chains kept as headers only (config `sync: "headers"`), with what keeps them up to date. */
  private readonly headerChains = new Map<string, HeaderChain>()
  private readonly followers = new Map<string, HeaderFollower>()
  private readonly commitListeners = new Set<(chainId: string, event: BlockCommittedEvent) => void>()
  private timer: NodeJS.Timeout | undefined
  private ticking = false
  /** When the last "tick failed" line was written: at most one per HALT_REMINDER_INTERVAL_MS. */
  private tickFailureLoggedAt = -Infinity
  readonly startedAt = Date.now()

  private constructor(
    readonly home: string,
    private readonly nodeKey: KeyPair,
    private readonly logger: Logger,
  ) {
    this.config = readNodeConfig(home)
  }

  static async start(options: NodeOptions): Promise<Node> {
    const nodeKey = readKeystoreFile(homePath(options.home, 'nodeKey'), options.password)
    const node = new Node(options.home, nodeKey, options.logger)
    try {
      await node.openChain()
    } catch (error) {
      await node.stop()
      throw error
    }
    node.timer = setInterval(() => void node.tickAll(), node.config.tickMs)
    options.logger.info('node started', {name: node.config.name, chains: [...node.chains.keys()], nodeId: node.nodeId})
    return node
  }

  private async openChain(): Promise<void> {
    const genesis = readGenesisFile(homePath(this.home, 'genesis'))
    if (genesis.chainId !== this.config.chainId) {
      throw new WichainError('INVALID_ARGUMENT', `config chainId "${this.config.chainId}" differs from genesis "${genesis.chainId}"`)
    }
    const logger = this.logger.child({chainId: genesis.chainId})
    if (this.config.sync === 'headers') return this.openHeaderChain(genesis, logger)
    const multiNode = genesis.consensus !== 'solo'
    const network = multiNode ? await ChainNetwork.start({config: this.config, genesis, nodeKey: this.nodeKey, logger}) : undefined
    if (network !== undefined) this.networks.set(genesis.chainId, network)
    const figures = new ChainFigures()
    this.figures.set(genesis.chainId, figures)
    const {chain} = await openChainRuntime({
      genesis,
      directory: chainDataPath(this.home, genesis.chainId),
      nodeKey: this.nodeKey,
      logger,
      network,
      onBlockCommitted: (event) => {
        figures.record(event)
        this.emitCommitted(genesis.chainId, event)
      },
    })
    this.chains.set(chain.chainId, chain)
  }

  /** A header-only chain: headers and certificates from the peers, verified, nothing executed. */
  private async openHeaderChain(genesis: Genesis, logger: Logger): Promise<void> {
    if (genesis.consensus === 'solo') throw new WichainError('INVALID_ARGUMENT', 'header-only sync needs a multi-node chain to sync from (this one is solo)')
    const network = await ChainNetwork.start({config: this.config, genesis, nodeKey: this.nodeKey, logger})
    this.networks.set(genesis.chainId, network)
    const figures = new ChainFigures()
    this.figures.set(genesis.chainId, figures)
    const chain = await HeaderChain.open({
      directory: headerDataPath(this.home, genesis.chainId),
      genesis,
      logger,
      onMembersChanged: (members) => network.updateMembers(members),
      onStored: (headers) => {
        for (const {header} of headers) figures.record({height: header.height, txs: header.txCount, latenciesMs: []})
      },
    })
    this.headerChains.set(chain.chainId, chain)
    network.updateMembers(chain.members())
    this.followers.set(chain.chainId, new HeaderFollower(network, chain, logger))
  }

  private async tickAll(): Promise<void> {
    if (this.ticking) return
    this.ticking = true
    try {
      // A chain's tick never rejects on a fault (it halts instead); one chain's surprise must not
      // stop the others' ticks, nor write a line per tick (~100 a second).
      for (const chain of this.chains.values()) {
        await chain.tick().catch((error: unknown) => {
          const now = Date.now()
          if (now - this.tickFailureLoggedAt < HALT_REMINDER_INTERVAL_MS) return
          this.tickFailureLoggedAt = now
          this.logger.error('tick failed', {chainId: chain.chainId, error: (error as Error).message})
        })
      }
    } finally {
      this.ticking = false
    }
  }

  /** Hear every block this node commits (monitoring). Returns the unsubscribe function. */
  onBlockCommitted(listener: (chainId: string, event: BlockCommittedEvent) => void): () => void {
    this.commitListeners.add(listener)
    return () => this.commitListeners.delete(listener)
  }

  private emitCommitted(chainId: string, event: BlockCommittedEvent): void {
    for (const listener of this.commitListeners) {
      try {
        listener(chainId, event)
      } catch (error) {
        // A monitoring fault must never fail a commit.
        this.logger.error('block-committed listener failed', {error: (error as Error).message})
      }
    }
  }

  get nodeId(): string {
    return toHex(this.nodeKey.publicKey)
  }

  /** The named chain, or the node's default chain when `chainId` is omitted. */
  chain(chainId?: string): Chain {
    if (this.headerChains.has(chainId ?? this.config.chainId)) {
      throw new WichainError('UNAVAILABLE', `node ${this.config.name} keeps headers only (sync "headers"): it has no txs, receipts or state; ask a full node`)
    }
    const chain = this.chains.get(chainId ?? this.config.chainId)
    if (chain === undefined) throw new WichainError('NOT_FOUND', `this node does not host chain "${chainId}"`)
    return chain
  }

  /** The named header-only chain, or undefined when the chain is kept in full (or not hosted). */
  headerChain(chainId?: string): HeaderChain | undefined {
    return this.headerChains.get(chainId ?? this.config.chainId)
  }

  /** Chains halted on a fault, with why and when (a full chain only: header-only chains do not halt). */
  haltedChains(): Array<{chainId: string} & HaltRecord> {
    return [...this.chains.values()].flatMap((chain) => {
      const halt = chain.halted()
      return halt === undefined ? [] : [{chainId: chain.chainId, ...halt}]
    })
  }

  status() {
    return {
      running: true,
      name: this.config.name,
      nodeId: this.nodeId,
      pid: process.pid,
      uptimeMs: Date.now() - this.startedAt,
      chains: [...this.chains.values()].map((chain) => this.fullChainStatus(chain)).concat([...this.headerChains.values()].map((chain) => this.headerChainStatus(chain))),
    }
  }

  private fullChainStatus(chain: Chain) {
    const network = this.networks.get(chain.chainId)
    const figures = this.figures.get(chain.chainId)!
    return {
      ...chain.status(),
      sync: {mode: 'full' as 'full' | 'headers', ...(network?.syncState() ?? soloSyncState(chain.head().height))},
      peers: network?.peerCount() ?? 0,
      peerList: network?.peers() ?? [],
      contracts: contractFigures(chain),
      commits: figures.commits(),
      diskBytes: figures.diskBytes(() => chain.ledger.stats().diskBytes) ?? null,
    }
  }

  /** Same shape as a full chain's row (monitoring reads both); role observer, sync headers. */
  private headerChainStatus(chain: HeaderChain): ReturnType<Node['fullChainStatus']> {
    const network = this.networks.get(chain.chainId)!
    const figures = this.figures.get(chain.chainId)!
    return {
      ...chain.status(),
      consortium: chain.genesis.version === 2,
      state: 'running',
      halted: null,
      faults: {},
      queue: {depth: 0, bytes: 0, dropped: 0},
      sync: {mode: 'headers' as const, ...(this.followers.get(chain.chainId)?.syncState() ?? soloSyncState(chain.head().height))},
      peers: network.peerCount(),
      peerList: network.peers(),
      contracts: [],
      commits: figures.commits(),
      diskBytes: figures.diskBytes(() => chain.diskBytes()) ?? null,
    }
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    for (const follower of this.followers.values()) follower.close()
    for (const network of this.networks.values()) await network.close()
    for (const chain of this.chains.values()) await chain.close()
    for (const chain of this.headerChains.values()) await chain.close()
    this.logger.info('node stopped', {name: this.config.name})
  }
}

export interface ContractFigureRow {
  readonly name: string
  readonly version: number
  readonly status: string
  readonly codeHash: string
  readonly calls: number
  readonly failures: number
  readonly gasUsed: number
}

/** Monitoring: each user contract's status and figures (calls, failures, gas), first page. */
function contractFigures(chain: Chain): ContractFigureRow[] {
  const page = chain.query('contracts', 'list', {}) as {contracts: ContractFigureRow[]}
  return page.contracts
}
