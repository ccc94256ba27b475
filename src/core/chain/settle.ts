/**
 * What a committed block changes besides the ledger: its txs leave the mempool (and with them any
 * tx that expired), clients waiting for them learn where they landed, and the admission-to-commit
 * latency of each tx this node admitted is measured for the commit listener; whether the node set
 * changed (the chain then reconfigures its engine). Also the blocks a
 * reopened ledger turns out to hold after a storage fault (their batch landed before the halt).
 * Runs on the chain's serial queue, after the block's batch has landed (chain.ts).
 */
import type {Ledger} from '../ledger/index.js'
import type {Block} from '../types/block.js'
import type {Tx} from '../types/tx.js'
import {NODES_CHANGE_METHODS, NODES_CONTRACT_NAME} from './contracts/nodes.js'
import type {BlockExecution} from './executor.js'
import {executedNodeChange} from './governance/node-change.js'
import type {Mempool} from './mempool.js'
import type {BlockCommittedEvent, TxLocation} from './options.js'
import type {TxWaiters} from './waiters.js'

export interface SettleHost {
  readonly mempool: Mempool
  readonly waiters: TxWaiters<TxLocation>
  now(): number
}

/** Settles a block just committed; returns the event for the commit listener. */
export function settleCommitted(host: SettleHost, block: Block, receipts: BlockExecution['receipts']): BlockCommittedEvent {
  const {mempool, waiters} = host
  const height = block.header.height
  const committedAt = host.now()
  const latenciesMs: number[] = []
  for (const tx of block.txs) {
    const admittedAt = mempool.admittedAt(tx.hashHex)
    if (admittedAt !== undefined) latenciesMs.push(committedAt - admittedAt)
  }
  mempool.remove(block.txs.map((tx) => tx.hashHex))
  mempool.pruneExpired(height + 1)
  block.txs.forEach((tx, index) => waiters.resolve(tx.hashHex, {txHash: tx.hashHex, height, index, status: receipts[index]!.status}))
  return {height, txs: block.txs.length, latenciesMs}
}

/**
 * True when the block holds an ok `nodes.add`/`remove`…, or a governance tx whose proposal
 * executed one: the validators of the next height change.
 */
export function changesNodeSet(txs: readonly Tx[], receipts: BlockExecution['receipts']): boolean {
  return txs.some((tx, index) => (tx.body.contract === NODES_CONTRACT_NAME && NODES_CHANGE_METHODS.has(tx.body.method) && receipts[index]?.status === 'ok')
    || executedNodeChange(tx, receipts[index]))
}

/**
 * Blocks a reopened ledger holds above `height`: their txs leave the mempool (nobody waits for
 * them: the halt released every waiter). Returns their events for the commit listener.
 */
export async function settleReopened(host: SettleHost, ledger: Ledger, height: number): Promise<BlockCommittedEvent[]> {
  const head = ledger.head()!.height
  const events: BlockCommittedEvent[] = []
  for (let next = height + 1; next <= head; next++) {
    const block = await ledger.getBlock(next)
    if (block === undefined) continue
    host.mempool.remove(block.txs.map((tx) => tx.hashHex))
    events.push({height: next, txs: block.txs.length, latenciesMs: []})
  }
  host.mempool.pruneExpired(head + 1)
  return events
}
