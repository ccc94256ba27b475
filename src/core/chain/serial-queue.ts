/**
 * A chain's serial queue: every driver task runs alone, in call order, so the ledger, the mempool
 * and the engine never see interleaved updates. Bounded (limits.ts "Queues"): at most `tasksMax`
 * tasks wait or run, and peers' consensus messages at most `stepBytesMax` bytes. A peer's message
 * that does not fit is dropped and counted (PBFT and Raft retransmit what matters); the chain's
 * own work is never dropped — a tick joins the one already waiting (at most one pending), and
 * local tasks (synced blocks, close) come from producers that are bounded themselves.
 *
 * Owns: order, the bounds, the depth/bytes/dropped figures (chain status `queue`). Does not own:
 * what a task does or what a throw means (chain.ts guards each task for fail-stop).
 */
import {assert} from '../assert.js'

export interface SerialQueueLimits {
  readonly tasksMax: number
  readonly stepBytesMax: number
}

export interface SerialQueueStatus {
  /** Tasks waiting or running. */
  readonly depth: number
  /** Bytes of peers' consensus messages waiting or running. */
  readonly bytes: number
  /** Peers' consensus messages dropped because the queue was full, since the chain opened. */
  readonly dropped: number
}

export class SerialQueue {
  private tail: Promise<void> = Promise.resolve()
  private depth = 0
  private stepBytes = 0
  private dropped = 0
  /** The tick waiting to run (not yet started), which later ticks join. */
  private pendingTick: Promise<void> | undefined

  constructor(private readonly limits: SerialQueueLimits) {
    assert(Number.isSafeInteger(limits.tasksMax) && limits.tasksMax > 0, 'a serial queue holds at least one task')
    assert(Number.isSafeInteger(limits.stepBytesMax) && limits.stepBytesMax > 0, 'a serial queue holds at least one byte of messages')
  }

  status(): SerialQueueStatus {
    return {depth: this.depth, bytes: this.stepBytes, dropped: this.dropped}
  }

  /** The chain's own work: always queued. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    return this.append(0, task)
  }

  /**
   * A peer's consensus message of `bytes` bytes: queued, or — when the queue is full by count or
   * by bytes — dropped and counted (returns undefined; the task never runs).
   */
  offer(bytes: number, task: () => Promise<void>): Promise<void> | undefined {
    if (this.depth >= this.limits.tasksMax || this.stepBytes + bytes > this.limits.stepBytesMax) {
      this.dropped++
      return undefined
    }
    return this.append(bytes, task)
  }

  /** A tick: joins the tick already waiting to run, if there is one. */
  tick(task: () => Promise<void>): Promise<void> {
    if (this.pendingTick !== undefined) return this.pendingTick
    const run = this.append(0, () => {
      this.pendingTick = undefined
      return task()
    })
    this.pendingTick = run
    return run
  }

  private append<T>(bytes: number, task: () => Promise<T> | T): Promise<T> {
    this.depth++
    this.stepBytes += bytes
    const run = this.tail.then(task).finally(() => {
      this.depth--
      this.stepBytes -= bytes
    })
    this.tail = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }
}
