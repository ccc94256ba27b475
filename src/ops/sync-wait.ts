/**
 * Waiting for a node to catch up (after a restore, a restart, or joining a chain): poll its
 * height until it reaches a target — given, or the highest height its peers report at the start
 * (a fixed target: under a stream of txs the peers keep moving, and "caught up" means "has what
 * the network had when we started waiting"). Reports progress; TIMEOUT when it does not arrive.
 */
import {WichainError} from '../core/errors.js'

export interface SyncWaitOptions {
  /** The node's current height. */
  readonly height: () => Promise<number>
  /** The height to reach; called once, at the start. */
  readonly target: () => Promise<number>
  readonly timeoutMs: number
  readonly pollMs?: number
  readonly onProgress?: (height: number, target: number) => void
  /** What the node says of its sync (e.g. why it stalled), added to a TIMEOUT's message. */
  readonly describe?: () => string | undefined
}

export interface SyncWaitResult {
  readonly startHeight: number
  readonly height: number
  readonly target: number
  readonly waitedMs: number
}

const SYNC_WAIT_POLL_MS = 250

export async function waitForSync(options: SyncWaitOptions): Promise<SyncWaitResult> {
  const started = Date.now()
  const target = await options.target()
  const startHeight = await options.height()
  let height = startHeight
  for (;;) {
    options.onProgress?.(height, target)
    if (height >= target) return {startHeight, height, target, waitedMs: Date.now() - started}
    if (Date.now() - started >= options.timeoutMs) {
      const sync = options.describe?.()
      throw new WichainError('TIMEOUT', `node is at height ${height}, short of ${target} after ${options.timeoutMs} ms${sync === undefined ? '' : ` (sync: ${sync})`}`, {height, target, sync})
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? SYNC_WAIT_POLL_MS))
    height = await options.height()
  }
}
