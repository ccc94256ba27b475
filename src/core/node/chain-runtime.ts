/**
 * One chain runtime: a `Chain` wired to its `ChainNetwork` the one way every host does it — the node
 * process (node.ts), the whole-node simulator (sim/node.ts), tests. Outbound consensus, tx
 * forwarding, tx fetches and sync requests go to the network; node-set changes re-allow and dial
 * peers; the network starts delivering messages to the chain only once the chain is open and the
 * node set its ledger holds is known. Also the consensus engine of a genesis and its tick period.
 *
 * Owns: that wiring and the per-consensus driver settings. Does not own: starting or closing the
 * network (the caller made it, the caller closes it, also when opening the chain fails), ticking.
 */
import {Chain, type BlockCommittedEvent, type ChainOptions, type EngineContext} from '../chain/chain.js'
import type {Genesis} from '../chain/genesis.js'
import type {ConsensusEngine} from '../consensus/engine.js'
import {createPbftEngine} from '../consensus/pbft/index.js'
import {createRaftEngine} from '../consensus/raft/index.js'
import {createSoloEngine} from '../consensus/solo/index.js'
import type {KeyPair} from '../crypto/sm2.js'
import type {Logger} from '../log.js'
import type {ChainNetwork} from './network.js'

/** Consensus tick periods: PBFT's timeouts are counted in ticks of this length. */
export const CONSENSUS_TICK_MS = {solo: 0, pbft: 100, raft: 100} as const

/** The consensus engine for a chain's genesis (also used offline, e.g. by restore to replay blocks). */
export function engineFactory(logger: Logger) {
  return (context: EngineContext): ConsensusEngine => {
    switch (context.genesis.consensus) {
      case 'solo':
        return createSoloEngine(context)
      case 'pbft':
        return createPbftEngine({...context, logger: logger.child({component: 'pbft'})})
      case 'raft':
        // Election timeouts only need to differ between nodes; no agreement depends on them.
        return createRaftEngine({...context, random: Math.random, logger: logger.child({component: 'raft'})})
    }
  }
}

export interface ChainRuntimeOptions {
  readonly genesis: Genesis
  /** The chain's ledger directory. */
  readonly directory: string
  readonly nodeKey: KeyPair
  readonly logger: Logger
  /** The chain's P2P side; none for a solo chain. */
  readonly network?: ChainNetwork
  readonly clock?: () => number
  /** Default: `engineFactory(logger)`. */
  readonly createEngine?: (context: EngineContext) => ConsensusEngine
  /** Every block the chain commits (monitoring, the simulator's checks). */
  readonly onBlockCommitted?: (event: BlockCommittedEvent) => void
  /**
   * Seams for the simulator and tests: a ledger that fails on demand and its disk probe, or
   * outbound consensus messages rewritten (a Byzantine node). Default: the real ones.
   */
  readonly overrides?: Pick<ChainOptions, 'openLedger' | 'probeStorage' | 'send'>
}

export interface ChainRuntime {
  readonly chain: Chain
  readonly network: ChainNetwork | undefined
}

/** Opens the chain, then attaches it to the network (see the file comment for the order). */
export async function openChainRuntime(options: ChainRuntimeOptions): Promise<ChainRuntime> {
  const {genesis, network, logger} = options
  const hooks = network?.chainHooks()
  const chain = await Chain.open({
    directory: options.directory,
    genesis,
    nodeKey: options.nodeKey,
    logger,
    clock: options.clock,
    createEngine: options.createEngine ?? engineFactory(logger),
    consensusTickMs: CONSENSUS_TICK_MS[genesis.consensus],
    // PBFT's view timer would churn views on an idle chain; Raft's heartbeats must keep going.
    tickWhenIdle: genesis.consensus !== 'pbft',
    // PBFT replicas hold the txs (forwarded on admission): proposals carry only their hashes.
    compactProposals: genesis.consensus === 'pbft',
    ...hooks,
    send: options.overrides?.send ?? hooks?.send,
    openLedger: options.overrides?.openLedger,
    probeStorage: options.overrides?.probeStorage,
    onValidatorsChanged: (_validators, members) => network?.updateMembers(members),
    onBlockCommitted: options.onBlockCommitted,
  })
  // A restarted node resumes with the node set its ledger holds, not the genesis one.
  network?.updateMembers(chain.members())
  network?.attach(chain)
  return {chain, network}
}
