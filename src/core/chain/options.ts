/**
 * What a chain is opened with (ChainOptions: its store, genesis, key, engine factory and the
 * node's hooks) and the shapes it hands back (committed-block events, tx locations). Types only,
 * so the node, the simulator and tests can name them without the driver (chain.ts re-exports them).
 */
import type {ConsensusEngine, EngineOptions, NodeId, SyncRequest} from '../consensus/engine.js'
import type {KeyPair} from '../crypto/sm2.js'
import type {Ledger} from '../ledger/index.js'
import type {Logger} from '../log.js'
import type {Tx} from '../types/tx.js'
import type {NodeMember} from './contracts/nodes.js'
import type {Genesis} from './genesis.js'

export interface ChainOptions {
  readonly directory: string
  readonly genesis: Genesis
  readonly nodeKey: KeyPair
  readonly logger: Logger
  readonly clock?: () => number
  createEngine(context: EngineContext): ConsensusEngine
  /** Outbound consensus messages (multi-node chains); solo never sends. */
  readonly send?: (to: NodeId | 'broadcast', bytes: Uint8Array) => void
  /** A tx entered the mempool from a client (not from a peer), or is still pending and due again: the node forwards it. */
  readonly onTxAdmitted?: (tx: Tx) => void
  /** The engine cannot catch up from consensus messages alone: fetch these blocks. */
  readonly onSyncRequest?: (request: SyncRequest) => void
  /**
   * Propose blocks as header + tx hashes (proposal.ts): for PBFT, whose replicas hold the txs
   * already. Default false: full blocks (Raft followers and solo apply what they are sent).
   */
  readonly compactProposals?: boolean
  /** Ask peers (preferably `peer`) for txs by hash; resolves with whatever tx bytes came back. */
  readonly fetchTxs?: (hashes: readonly string[], peer: NodeId | undefined) => Promise<Uint8Array[]>
  /** Milliseconds between consensus engine ticks (the driver calls `tick` more often). */
  readonly consensusTickMs?: number
  /** Tick the engine even with no pending txs and no recent consensus traffic (default true). */
  readonly tickWhenIdle?: boolean
  /**
   * A committed `nodes.add`/`nodes.remove` changed the node set: `validators` govern the next
   * height; `members` (validators and observers, with their P2P addresses) may connect.
   */
  readonly onValidatorsChanged?: (validators: readonly string[], members: readonly NodeMember[]) => void
  /** A block was committed (monitoring): its height, tx count, and each admitted tx's admission-to-commit latency. */
  readonly onBlockCommitted?: (event: BlockCommittedEvent) => void
  /** Opens the chain's ledger: at open, and again when resuming after a storage fault (tests inject faults here). */
  readonly openLedger?: (directory: string, logger: Logger) => Promise<Ledger>
  /** Throws while the ledger's disk does not take writes (default: halt.ts probeDirectory). */
  readonly probeStorage?: (directory: string) => Promise<void>
}

export interface BlockCommittedEvent {
  readonly height: number
  readonly txs: number
  /** Milliseconds from admission on this node to commit, for the block's txs this node admitted. */
  readonly latenciesMs: readonly number[]
}

/** What the node's engine factory gets: the engine options plus the chain's genesis. */
export interface EngineContext extends EngineOptions {
  readonly genesis: Genesis
}

export interface TxLocation {
  readonly txHash: string
  readonly height: number
  readonly index: number
  readonly status: 'ok' | 'failed'
}
