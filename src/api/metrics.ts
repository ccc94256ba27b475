/**
 * Prometheus metrics of one node (spec §8.4.6, §9), served as text on `GET /metrics` of the RPC
 * port. One Registry per node (never prom-client's global one), so several nodes in one process
 * (tests) do not mix. Values are read at scrape time from one `node.status()` snapshot through
 * collect() callbacks; only the commit-latency histogram is fed as blocks commit.
 */
import {collectDefaultMetrics, Counter, Gauge, Histogram, Registry} from 'prom-client'
import type {Node} from '../core/node/node.js'

/** Seconds; admission-to-commit spans one consensus round (ms) up to a congested mempool (s). */
const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** How long one status snapshot serves the collect() callbacks of a scrape. */
const SNAPSHOT_MS = 500
/** Peer key prefix used as the `peer` label (8 bytes: unique in any consortium, short in dashboards). */
const PEER_LABEL_HEX = 16

type Snapshot = ReturnType<Node['status']>
type ChainSnapshot = Snapshot['chains'][number]

export class NodeMetrics {
  readonly registry = new Registry()
  private cached: {at: number; snapshot: Snapshot} | undefined
  private readonly unsubscribe: () => void

  constructor(private readonly node: Node) {
    collectDefaultMetrics({register: this.registry})
    this.registerChainGauges()
    this.registerPeerGauges()
    this.registerConsensusGauges()
    this.registerCommitMetrics()
    this.registerContractCounters()
    this.registerHaltMetrics()
    this.registerQueueMetrics()
    this.registerSyncMetrics()
    const latency = new Histogram({
      name: 'wichain_commit_latency_seconds',
      help: 'Time from a tx\'s admission on this node to its commit',
      labelNames: ['chainId'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [this.registry],
    })
    // Series exist from the start (count 0), so rate() and alerts see them before the first commit.
    for (const chain of node.status().chains) latency.zero({chainId: chain.chainId})
    this.unsubscribe = node.onBlockCommitted((chainId, event) => {
      for (const latencyMs of event.latenciesMs) latency.observe({chainId}, latencyMs / 1000)
    })
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** The exposition text, from a fresh snapshot. */
  text(): Promise<string> {
    this.cached = undefined
    return this.registry.metrics()
  }

  close(): void {
    this.unsubscribe()
    this.registry.clear()
  }

  private snapshot(): Snapshot {
    const now = Date.now()
    if (this.cached === undefined || now - this.cached.at > SNAPSHOT_MS) this.cached = {at: now, snapshot: this.node.status()}
    return this.cached.snapshot
  }

  /** A gauge whose series are rebuilt from the snapshot at every scrape (gone chains/peers vanish). */
  private gauge(name: string, help: string, labelNames: readonly string[], fill: (gauge: Gauge, chain: ChainSnapshot, snapshot: Snapshot) => void | Promise<void>): void {
    const metrics = this
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset()
        const snapshot = metrics.snapshot()
        for (const chain of snapshot.chains) await fill(this, chain, snapshot)
      },
    })
  }

  /** A counter mirroring a running total kept elsewhere (the node, or chain state). */
  private counter(name: string, help: string, labelNames: readonly string[], fill: (counter: Counter, chain: ChainSnapshot) => void): void {
    const metrics = this
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const chain of metrics.snapshot().chains) fill(this, chain)
      },
    })
  }

  private registerChainGauges(): void {
    this.gauge('wichain_node_info', 'Constant 1, labelled with the node\'s identity per hosted chain', ['chainId', 'consensus', 'nodeId', 'name'], (gauge, chain, snapshot) =>
      gauge.set({chainId: chain.chainId, consensus: chain.consensus, nodeId: snapshot.nodeId, name: snapshot.name}, 1),
    )
    this.gauge('wichain_chain_height', 'Height of the last committed block', ['chainId'], (gauge, chain) => gauge.set({chainId: chain.chainId}, chain.height))
    this.gauge('wichain_chain_head_timestamp_seconds', 'Timestamp of the last committed block (unix seconds)', ['chainId'], async (gauge, chain) => {
      // A header-only chain keeps its headers in its own store; a full chain's come from the ledger.
      const headerChain = this.node.headerChain(chain.chainId)
      const head = headerChain !== undefined ? await headerChain.getHeader(chain.height) : await this.node.chain(chain.chainId).ledger.getHeader(chain.height)
      if (head !== undefined) gauge.set({chainId: chain.chainId}, head.header.timestamp / 1000)
    })
    this.gauge('wichain_mempool_txs', 'Txs waiting in the mempool', ['chainId'], (gauge, chain) => gauge.set({chainId: chain.chainId}, chain.mempool.txs))
    this.gauge('wichain_mempool_bytes', 'Bytes of the txs waiting in the mempool', ['chainId'], (gauge, chain) => gauge.set({chainId: chain.chainId}, chain.mempool.bytes))
    this.gauge('wichain_ledger_disk_bytes', 'Disk used by the chain\'s ledger directory (re-measured every few seconds)', ['chainId'], (gauge, chain) => {
      if (chain.diskBytes !== null) gauge.set({chainId: chain.chainId}, chain.diskBytes)
    })
  }

  private registerPeerGauges(): void {
    this.gauge('wichain_peers_connected', 'Peers with an open authenticated connection', ['chainId'], (gauge, chain) => gauge.set({chainId: chain.chainId}, chain.peers))
    const labels = (chainId: string, peer: {publicKey: string; name?: string}) => ({chainId, peer: peer.publicKey.slice(0, PEER_LABEL_HEX), name: peer.name ?? ''})
    this.gauge('wichain_peer_up', '1 when the peer (a node-set member or configured peer) is connected, else 0', ['chainId', 'peer', 'name'], (gauge, chain) => {
      for (const peer of chain.peerList) gauge.set(labels(chain.chainId, peer), peer.connected ? 1 : 0)
    })
    this.gauge('wichain_peer_height', 'The peer\'s head height, from its last sync status answer', ['chainId', 'peer', 'name'], (gauge, chain) => {
      for (const peer of chain.peerList) if (peer.height !== undefined) gauge.set(labels(chain.chainId, peer), peer.height)
    })
  }

  private registerConsensusGauges(): void {
    this.gauge('wichain_consensus_round', 'Consensus round: PBFT view, Raft term (0 for solo)', ['chainId', 'consensus'], (gauge, chain) =>
      gauge.set({chainId: chain.chainId, consensus: chain.consensus}, chain.round),
    )
    this.gauge('wichain_consensus_role', '1 for this node\'s current consensus role (leader, primary, replica, follower, candidate, observer...)', ['chainId', 'role'], (gauge, chain) =>
      gauge.set({chainId: chain.chainId, role: chain.role}, 1),
    )
  }

  private registerCommitMetrics(): void {
    this.counter('wichain_blocks_committed_total', 'Blocks committed since the node started', ['chainId'], (counter, chain) => counter.inc({chainId: chain.chainId}, chain.commits.blocks))
    this.counter('wichain_txs_committed_total', 'Txs committed since the node started', ['chainId'], (counter, chain) => counter.inc({chainId: chain.chainId}, chain.commits.txs))
  }

  /** Block sync (core/node/block-sync.ts): alert on a growing gap or wichain_sync_state{state="stalled"}. */
  private registerSyncMetrics(): void {
    this.gauge('wichain_sync_gap_blocks', 'Blocks between this node\'s head and the best height a peer reported', ['chainId'], (gauge, chain) =>
      gauge.set({chainId: chain.chainId}, chain.sync.gap),
    )
    this.gauge('wichain_sync_state', '1 for the chain\'s current sync state (following, catching-up, stalled)', ['chainId', 'state'], (gauge, chain) => {
      for (const state of ['following', 'catching-up', 'stalled']) gauge.set({chainId: chain.chainId, state}, chain.sync.state === state ? 1 : 0)
    })
    this.gauge('wichain_sync_blocks_per_second', 'Blocks applied per second while catching up (last ~10 s)', ['chainId'], (gauge, chain) =>
      gauge.set({chainId: chain.chainId}, chain.sync.blocksPerSec),
    )
    this.counter('wichain_sync_failures_total', 'Failed sync requests, refused synced blocks and stall periods since the node started', ['chainId'], (counter, chain) =>
      counter.inc({chainId: chain.chainId}, chain.sync.failures),
    )
  }

  /** Fail-stop (core/chain/halt.ts): alert on wichain_chain_halted == 1; the reason is in `node status`. */
  private registerHaltMetrics(): void {
    this.gauge('wichain_chain_halted', '1 while the chain is halted on a fault (storage, broken invariant), else 0', ['chainId'], (gauge, chain) =>
      gauge.set({chainId: chain.chainId}, chain.state === 'halted' ? 1 : 0),
    )
    this.counter('wichain_chain_faults_total', 'Faults that halted the chain since the node started, by error code', ['chainId', 'code'], (counter, chain) => {
      for (const [code, count] of Object.entries(chain.faults)) counter.inc({chainId: chain.chainId, code}, count)
    })
  }

  /**
   * The chain's serial queue (core/chain/serial-queue.ts): peers' consensus messages are dropped
   * when it is full (PBFT and Raft retransmit); alert on a rising dropped count, which means this
   * node cannot keep up with its peers' messages.
   */
  private registerQueueMetrics(): void {
    this.gauge('wichain_chain_queue_depth', 'Tasks waiting on or running in the chain\'s serial queue', ['chainId'], (gauge, chain) =>
      gauge.set({chainId: chain.chainId}, chain.queue.depth),
    )
    this.counter('wichain_chain_queue_dropped_total', 'Peers\' consensus messages dropped because the chain\'s serial queue was full, since the chain opened', ['chainId'], (counter, chain) =>
      counter.inc({chainId: chain.chainId}, chain.queue.dropped),
    )
  }

  private registerContractCounters(): void {
    const each = (figure: 'calls' | 'failures' | 'gasUsed') => (counter: Counter, chain: ChainSnapshot) => {
      for (const contract of chain.contracts) counter.inc({chainId: chain.chainId, contract: contract.name}, contract[figure])
    }
    this.counter('wichain_contract_calls_total', 'Calls of each user contract, as recorded on chain', ['chainId', 'contract'], each('calls'))
    this.counter('wichain_contract_failures_total', 'Failed calls of each user contract, as recorded on chain', ['chainId', 'contract'], each('failures'))
    this.counter('wichain_contract_gas_used_total', 'Gas burnt by each user contract\'s calls, as recorded on chain', ['chainId', 'contract'], each('gasUsed'))
  }
}
