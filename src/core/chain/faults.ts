/**
 * Faults of block execution: failures that are this node's or this engine's, not the tx's, so no
 * receipt may record them (another node, or the same node with a different stack depth, could
 * execute the tx to a different outcome). The executor throws them out of `executeBlock`; block
 * building and proposal validation let them through, and the chain halts on them (fail-stop)
 * instead of voting for a block it may not have executed as its peers did.
 */
import {WichainError, type ErrorCode} from '../errors.js'

/**
 * Codes of WichainErrors that are faults when thrown during execution: an unexpected error, and a
 * node's own storage or data failing (a deliberate contract or validation failure has another code).
 */
export const FAULT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['INTERNAL', 'STORAGE_ERROR', 'CORRUPT_DATA'])

/** True when an error thrown while executing a tx must not become a receipt. */
export function isExecutionFaultCause(error: unknown): boolean {
  return !(error instanceof WichainError) || FAULT_CODES.has(error.code)
}

/**
 * An engine-dependent or internal error while executing a tx (a stack overflow, out of memory, a
 * bug in host code): thrown out of block execution, never turned into a receipt.
 */
export class ExecutionFault extends Error {
  /** Hex hash of the tx being executed. */
  readonly txHash: string
  /** Height of the block being executed. */
  readonly height: number

  constructor(txHash: string, height: number, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    super(`executing tx ${txHash} of block ${height} failed inside this node (${reason}); no receipt can record it`, {cause})
    this.name = 'ExecutionFault'
    this.txHash = txHash
    this.height = height
  }
}
