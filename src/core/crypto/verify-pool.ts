/**
 * Verifies batches of SM2 signatures on worker threads, off the event loop, for tx admission.
 * A batch is split into tasks of at most TASK_ITEMS_MAX signatures that idle threads take in
 * order; each thread runs fastVerify (native addon when built, else pure JS with its own
 * precompute cache), so results equal sm2.ts verify() item by item. The queue is bounded in
 * signatures and bytes: beyond that verifyBatch rejects with MEMPOOL_FULL at once, so
 * admission sheds load instead of buffering it. Idle threads do not keep the process alive;
 * close() finishes the queued work, then ends the threads.
 */
import {availableParallelism} from 'node:os'
import type {Worker} from 'node:worker_threads'
import {WichainError} from '../errors.js'
import {VERIFY_POOL_QUEUED_BYTES_MAX, VERIFY_POOL_QUEUED_ITEMS_MAX} from '../limits.js'
import type {SignedMessage} from './native.js'
import {
  isWellFormed, packedBytes, packSignedMessages, startVerifyWorker, type VerifyReplyMessage, type VerifyTaskMessage,
  type VerifyWorkerMessage,
} from './verify-pool-protocol.js'

export const VERIFY_POOL_THREADS_MAX = 16
export const VERIFY_POOL_BATCH_ITEMS_MAX = 65_536
/** Default queue bounds (limits.ts "Queues"). */
export const VERIFY_POOL_QUEUED_ITEMS_DEFAULT = VERIFY_POOL_QUEUED_ITEMS_MAX
export const VERIFY_POOL_QUEUED_BYTES_DEFAULT = VERIFY_POOL_QUEUED_BYTES_MAX
/** Large enough to amortise a message round trip (~0.1 ms), small enough to spread a batch over threads. */
const TASK_ITEMS_MAX = 256
const TASK_ITEMS_MIN = 8
/** Two tasks per thread: the next one is already there when the thread finishes. */
const TASKS_IN_FLIGHT_PER_THREAD = 2
/** Replacements for crashed threads over the pool's life; a crash is a bug, not a load condition. */
const THREAD_RESTARTS_MAX = 8

export interface VerifyPoolOptions {
  /** Worker threads, 1..16; default: the machine's available parallelism. */
  readonly threads?: number
  /** Signatures queued or in flight before verifyBatch rejects with MEMPOOL_FULL. */
  readonly queuedItemsMax?: number
  /** Message bytes queued or in flight before verifyBatch rejects with MEMPOOL_FULL. */
  readonly queuedBytesMax?: number
}

export interface VerifyPoolStats {
  readonly threads: number
  /** Threads that reported running the native addon (the others run pure JS, or are starting). */
  readonly nativeThreads: number
  readonly pendingItems: number
  readonly pendingBytes: number
  /** Tasks each live thread has completed, in start order. */
  readonly tasksCompleted: readonly number[]
}

interface PendingBatch {
  readonly results: boolean[]
  remainingTasks: number
  settled: boolean
  readonly resolve: (results: boolean[]) => void
  readonly reject: (error: WichainError) => void
}

interface Task {
  readonly id: number
  readonly batch: PendingBatch
  readonly indices: readonly number[]
  readonly buffer: ArrayBuffer
  readonly bytes: number
}

interface PoolThread {
  readonly worker: Worker
  readonly inFlight: Map<number, Task>
  tasksCompleted: number
  failure: Error | undefined
  /** Set by the thread's ready message. */
  native: boolean | undefined
}

function checkLimit(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WichainError('INVALID_ARGUMENT', `${name} must be an integer in ${min}..${max}`, {[name]: value})
  }
  return value
}

export class VerifyPool {
  readonly threads: number
  private readonly queuedItemsMax: number
  private readonly queuedBytesMax: number
  private readonly live = new Set<PoolThread>()
  private readonly queue: Task[] = []
  private pendingItems = 0
  private pendingBytes = 0
  private nextTaskId = 1
  private restarts = 0
  private closing: Promise<void> | undefined
  private onDrained: (() => void) | undefined
  private readonly readyWaiters: (() => void)[] = []

  constructor(options: VerifyPoolOptions = {}) {
    this.threads = checkLimit('threads', options.threads ?? Math.min(availableParallelism(), VERIFY_POOL_THREADS_MAX), 1, VERIFY_POOL_THREADS_MAX)
    this.queuedItemsMax = checkLimit('queuedItemsMax', options.queuedItemsMax ?? VERIFY_POOL_QUEUED_ITEMS_DEFAULT, 1, 2 ** 24)
    this.queuedBytesMax = checkLimit('queuedBytesMax', options.queuedBytesMax ?? VERIFY_POOL_QUEUED_BYTES_DEFAULT, 1, 2 ** 31)
    for (let index = 0; index < this.threads; index++) this.startThread()
  }

  stats(): VerifyPoolStats {
    return {
      threads: this.live.size,
      nativeThreads: [...this.live].filter((thread) => thread.native === true).length,
      pendingItems: this.pendingItems,
      pendingBytes: this.pendingBytes,
      tasksCompleted: [...this.live].map((thread) => thread.tasksCompleted),
    }
  }

  /** Resolves once every live thread has loaded its modules (batches sent earlier just wait). */
  ready(): Promise<void> {
    if (this.allReady()) return Promise.resolve()
    return new Promise((resolve) => this.readyWaiters.push(resolve))
  }

  /** One boolean per item, equal to sm2.ts verify(item.publicKey, item.message, item.signature). */
  verifyBatch(items: readonly SignedMessage[]): Promise<boolean[]> {
    try {
      return this.enqueue(items)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Stops accepting batches, finishes the queued ones, then ends every thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.drain().then(() => this.terminateAll())
    return this.closing
  }

  private enqueue(items: readonly SignedMessage[]): Promise<boolean[]> {
    if (this.closing !== undefined) throw new WichainError('UNAVAILABLE', 'the verify pool is closed')
    if (this.live.size === 0) throw new WichainError('UNAVAILABLE', 'the verify pool has no running threads')
    if (!Array.isArray(items)) throw new WichainError('INVALID_ARGUMENT', 'a verify batch must be an array')
    if (items.length > VERIFY_POOL_BATCH_ITEMS_MAX) {
      throw new WichainError('PAYLOAD_TOO_LARGE', `a verify batch holds at most ${VERIFY_POOL_BATCH_ITEMS_MAX} items`, {items: items.length})
    }
    const indices: number[] = []
    let bytes = 0
    items.forEach((item, index) => {
      if (!isWellFormed(item)) return // verify() answers false without looking further
      indices.push(index)
      bytes += packedBytes(item)
    })
    if (this.pendingItems + indices.length > this.queuedItemsMax || this.pendingBytes + bytes > this.queuedBytesMax) {
      throw new WichainError('MEMPOOL_FULL', 'signature verification is saturated; retry later', {
        pendingItems: this.pendingItems, pendingBytes: this.pendingBytes, items: indices.length, bytes,
      })
    }
    const results = new Array<boolean>(items.length).fill(false)
    if (indices.length === 0) return Promise.resolve(results)
    return new Promise((resolve, reject) => {
      const batch: PendingBatch = {results, remainingTasks: 0, settled: false, resolve, reject}
      this.split(items, indices, batch)
      this.dispatch()
    })
  }

  private split(items: readonly SignedMessage[], indices: readonly number[], batch: PendingBatch): void {
    const perThread = Math.ceil(indices.length / this.threads)
    const taskItems = Math.min(TASK_ITEMS_MAX, Math.max(TASK_ITEMS_MIN, perThread))
    for (let start = 0; start < indices.length; start += taskItems) {
      const taskIndices = indices.slice(start, start + taskItems)
      const taskMessages = taskIndices.map((index) => items[index]!)
      const bytes = taskMessages.reduce((sum, item) => sum + packedBytes(item), 0)
      // Copied now: the caller may reuse its buffers once verifyBatch returns.
      this.queue.push({id: this.nextTaskId++, batch, indices: taskIndices, buffer: packSignedMessages(taskMessages, bytes), bytes})
      batch.remainingTasks++
      this.pendingItems += taskIndices.length
      this.pendingBytes += bytes
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let target: PoolThread | undefined
      for (const thread of this.live) {
        if (thread.inFlight.size < TASKS_IN_FLIGHT_PER_THREAD && (target === undefined || thread.inFlight.size < target.inFlight.size)) {
          target = thread
        }
      }
      if (target === undefined) return
      const task = this.queue.shift()!
      if (task.batch.settled) {
        this.release(task) // its batch already failed on a crashed thread
        continue
      }
      target.inFlight.set(task.id, task)
      target.worker.ref() // busy threads keep the process alive; idle ones do not
      const message: VerifyTaskMessage = {id: task.id, buffer: task.buffer, count: task.indices.length}
      target.worker.postMessage(message, [task.buffer])
    }
  }

  private startThread(): void {
    const thread: PoolThread = {worker: startVerifyWorker(), inFlight: new Map(), tasksCompleted: 0, failure: undefined, native: undefined}
    thread.worker.unref()
    thread.worker.on('message', (message: VerifyWorkerMessage) => {
      if (message.kind === 'reply') this.onReply(thread, message)
      else this.onReady(thread, message.native)
    })
    thread.worker.on('error', (error: Error) => {
      thread.failure = error
    })
    thread.worker.on('exit', (exitCode: number) => this.onExit(thread, exitCode))
    this.live.add(thread)
  }

  private allReady(): boolean {
    return [...this.live].every((thread) => thread.native !== undefined)
  }

  private onReady(thread: PoolThread, native: boolean): void {
    thread.native = native
    this.wakeReadyWaiters()
  }

  private wakeReadyWaiters(): void {
    if (!this.allReady()) return
    for (const wake of this.readyWaiters.splice(0)) wake()
  }

  private onReply(thread: PoolThread, reply: VerifyReplyMessage): void {
    const task = thread.inFlight.get(reply.id)
    if (task === undefined) return
    thread.inFlight.delete(reply.id)
    thread.tasksCompleted++
    if (thread.inFlight.size === 0) thread.worker.unref()
    this.release(task)
    const batch = task.batch
    if (!batch.settled) {
      task.indices.forEach((index, position) => {
        batch.results[index] = reply.results[position] === 1
      })
      if (--batch.remainingTasks === 0) {
        batch.settled = true
        batch.resolve(batch.results)
      }
    }
    this.dispatch()
  }

  private onExit(thread: PoolThread, exitCode: number): void {
    this.live.delete(thread)
    const cause = thread.failure ?? new Error(`verify thread exited with code ${exitCode}`)
    for (const task of thread.inFlight.values()) {
      this.release(task)
      this.fail(task.batch, new WichainError('INTERNAL', `a verify thread failed: ${cause.message}`, undefined, {cause}))
    }
    thread.inFlight.clear()
    if (this.closing === undefined && this.restarts < THREAD_RESTARTS_MAX) {
      this.restarts++
      this.startThread()
    }
    this.wakeReadyWaiters() // a thread that died before its ready message must not hold ready() forever
    if (this.live.size === 0) {
      for (const task of this.queue.splice(0)) {
        this.release(task)
        this.fail(task.batch, new WichainError('UNAVAILABLE', 'every verify thread has failed', undefined, {cause}))
      }
    }
    this.dispatch()
  }

  private fail(batch: PendingBatch, error: WichainError): void {
    if (batch.settled) return
    batch.settled = true
    batch.reject(error)
  }

  private release(task: Task): void {
    this.pendingItems -= task.indices.length
    this.pendingBytes -= task.bytes
    if (this.pendingItems === 0) this.onDrained?.()
  }

  private drain(): Promise<void> {
    if (this.pendingItems === 0) return Promise.resolve()
    return new Promise((resolve) => {
      this.onDrained = resolve
    })
  }

  private async terminateAll(): Promise<void> {
    await Promise.all([...this.live].map((thread) => thread.worker.terminate()))
  }
}
