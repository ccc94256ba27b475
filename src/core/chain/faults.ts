/**
 * Faults of block execution: failures that are this node's or this engine's, not the tx's, so no
 * receipt may record them (another node, or the same node with a different stack depth, could
 * execute the tx to a different outcome). The executor throws them out of `executeBlock`; block
 * building and proposal validation let them through, and the chain halts on them (fail-stop)
 * instead of voting for a block it may not have executed as its peers did.
 */
import {WichainError, type ErrorCode} from '../errors.js'
import {StorageFault} from '../vm/write-buffer.js'

/**
 * Codes of WichainErrors that are faults when thrown during execution: an unexpected error, and a
 * node's own storage or data failing (a deliberate contract or validation failure has another code).
 */
export const FAULT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['INTERNAL', 'STORAGE_ERROR', 'CORRUPT_DATA'])

/**
 * True when an error thrown while executing a tx must not become a receipt: not a WichainError,
 * a fault code, or a WichainError caused by a stack overflow (a codec wrapping one as DECODE_ERROR).
 */
export function isExecutionFaultCause(error: unknown): boolean {
  return !(error instanceof WichainError) || FAULT_CODES.has(error.code) || causedByStackOverflow(error)
}

/** A JS stack overflow anywhere in the error's cause chain (a few links are enough). */
function causedByStackOverflow(error: unknown): boolean {
  let link: unknown = error
  for (let hops = 0; link instanceof Error && hops < 8; hops++, link = link.cause) {
    if (link instanceof RangeError && /call stack/i.test(link.message)) return true
  }
  return false
}

/**
 * An engine-dependent or internal error while executing a tx (a stack overflow, out of memory, a
 * bug in host code): thrown out of block execution, never turned into a receipt.
 */
export class ExecutionFault extends Error {
  /** Hex hash of the tx being executed ('' when between txs). */
  readonly txHash: string
  /** Height of the block being executed. */
  readonly height: number

  constructor(txHash: string, height: number, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    const what = txHash === '' ? `block ${height}` : `tx ${txHash} of block ${height}`
    super(`executing ${what} failed inside this node (${reason}); no receipt can record it`, {cause})
    this.name = 'ExecutionFault'
    this.txHash = txHash
    this.height = height
  }
}

/**
 * What executing tx `txHash` may throw out of the executor: an ExecutionFault for a cause that
 * is one, the error itself otherwise (a StorageFault stays one: the chain halts on it too).
 */
export function asExecutionFault(error: unknown, txHash: string, height: number): unknown {
  if (error instanceof ExecutionFault || error instanceof StorageFault) return error
  return isExecutionFaultCause(error) ? new ExecutionFault(txHash, height, error) : error
}
