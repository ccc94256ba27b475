/**
 * Promises waiting for txs to commit, with timeouts. Bounded so clients cannot exhaust memory:
 * at most TX_WAITERS_MAX waiters in all and TX_WAITERS_PER_TX_MAX for one tx (limits.ts
 * "Queues"); beyond either, `wait` refuses with UNAVAILABLE (the client may poll instead).
 */
import {WichainError} from '../errors.js'
import {TX_WAITERS_MAX, TX_WAITERS_PER_TX_MAX} from '../limits.js'

export interface Waiter<T> {
  readonly promise: Promise<T | undefined>
  resolve(value: T | undefined): void
  timer: NodeJS.Timeout
}

export interface TxWaitersLimits {
  readonly waitersMax: number
  readonly perTxMax: number
}

export class TxWaiters<T = unknown> {
  private readonly byHash = new Map<string, Set<Waiter<T>>>()
  private count = 0

  constructor(private readonly limits: TxWaitersLimits = {waitersMax: TX_WAITERS_MAX, perTxMax: TX_WAITERS_PER_TX_MAX}) {}

  /** Waiters in all. */
  get size(): number {
    return this.count
  }

  wait(txHash: string, timeoutMs: number): Waiter<T> {
    if (this.count >= this.limits.waitersMax) throw new WichainError('UNAVAILABLE', `too many clients are waiting for txs (${this.limits.waitersMax}); poll instead`)
    let set = this.byHash.get(txHash)
    if ((set?.size ?? 0) >= this.limits.perTxMax) {
      throw new WichainError('UNAVAILABLE', `too many clients are waiting for tx ${txHash} (${this.limits.perTxMax}); poll instead`, {txHash})
    }
    let resolve!: (value: T | undefined) => void
    const promise = new Promise<T | undefined>((done) => (resolve = done))
    const waiter: Waiter<T> = {promise, resolve, timer: setTimeout(() => this.finish(txHash, waiter, undefined), timeoutMs)}
    if (set === undefined) this.byHash.set(txHash, (set = new Set()))
    set.add(waiter)
    this.count++
    return waiter
  }

  private finish(txHash: string, waiter: Waiter<T>, value: T | undefined): void {
    const set = this.byHash.get(txHash)
    if (set?.delete(waiter) !== true) return
    if (set.size === 0) this.byHash.delete(txHash)
    this.count--
    clearTimeout(waiter.timer)
    waiter.resolve(value)
  }

  cancel(txHash: string, waiter: Waiter<T>): void {
    this.finish(txHash, waiter, undefined)
  }

  resolve(txHash: string, value: T): void {
    for (const waiter of [...(this.byHash.get(txHash) ?? [])]) this.finish(txHash, waiter, value)
  }

  rejectAll(): void {
    for (const [txHash, set] of [...this.byHash]) for (const waiter of [...set]) this.finish(txHash, waiter, undefined)
  }
}
