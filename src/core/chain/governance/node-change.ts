/**
 * Whether a committed governance tx changed the node set: its proposal executed a
 * `nodes.add|remove|disable|enable` action (the engine then reconfigures, settle.ts), read from
 * the receipt's `{proposal: {status, action: {contract, method, args}}}` answer.
 */
import type {Receipt} from '../../types/receipt.js'
import type {Tx} from '../../types/tx.js'
import {NODES_CHANGE_METHODS, NODES_CONTRACT_NAME} from '../contracts/nodes.js'
import {GOVERNANCE_CONTRACT_NAME} from './records.js'

/** The node change a governance tx executed (`method` in NODES_CHANGE_METHODS, its args); undefined when none. */
export function executedNodeAction(tx: Tx, receipt: Pick<Receipt, 'status' | 'result'> | undefined): {method: string; args: unknown} | undefined {
  if (tx.body.contract !== GOVERNANCE_CONTRACT_NAME || receipt?.status !== 'ok') return undefined
  let answer: unknown
  try {
    answer = JSON.parse(receipt.result)
  } catch {
    return undefined
  }
  const proposal = (answer as {proposal?: {status?: unknown; action?: {contract?: unknown; method?: unknown; args?: unknown}}} | null)?.proposal
  const action = proposal?.action
  if (proposal?.status !== 'executed' || action?.contract !== NODES_CONTRACT_NAME || typeof action.method !== 'string' || !NODES_CHANGE_METHODS.has(action.method)) return undefined
  return {method: action.method, args: action.args ?? {}}
}

export function executedNodeChange(tx: Tx, receipt: Pick<Receipt, 'status' | 'result'> | undefined): boolean {
  return executedNodeAction(tx, receipt) !== undefined
}
