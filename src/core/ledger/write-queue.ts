/**
 * Ledger writes run one at a time, in call order, so each commit checks its preconditions
 * against the head the previous commit left. The queue is bounded (the ledger's bound is
 * LEDGER_WRITES_QUEUED_MAX, limits.ts "Queues"; beyond it UNAVAILABLE). After a failed storage write
 * the outcome on disk is unknown (LevelDB may or may not have applied the batch), so every later
 * write is refused until the ledger is reopened and its head verified again.
 */
import {WichainError} from '../errors.js'

export class WriteQueue {
  private tail: Promise<void> = Promise.resolve()
  private queued = 0
  private failure: Error | undefined

  constructor(private readonly queuedMax: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.queued >= this.queuedMax) {
      return Promise.reject(new WichainError('UNAVAILABLE', `${this.queued} ledger writes are queued; limit ${this.queuedMax}`))
    }
    this.queued++
    const run = this.tail
      .then(() => {
        if (this.failure !== undefined) {
          throw new WichainError('STORAGE_ERROR', `an earlier ledger write failed (${this.failure.message}); reopen the ledger`)
        }
        return task()
      })
      .finally(() => void this.queued--)
    this.tail = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  /** Record a failed storage write (see above). */
  fail(error: Error): void {
    this.failure ??= error
  }

  /** Resolves when every write queued so far has finished. */
  drained(): Promise<void> {
    return this.tail
  }
}
