/** Promises waiting for txs to commit, with timeouts; bounded so clients cannot exhaust memory. */
import {WichainError} from '../errors.js'

const WAITERS_MAX = 100_000

export interface Waiter<T> {
  readonly promise: Promise<T | undefined>
  resolve(value: T | undefined): void
  timer: NodeJS.Timeout
}

export class TxWaiters<T = unknown> {
  private readonly byHash = new Map<string, Set<Waiter<T>>>()
  private count = 0

  wait(txHash: string, timeoutMs: number): Waiter<T> {
    if (this.count >= WAITERS_MAX) throw new WichainError('UNAVAILABLE', 'too many clients are waiting for txs')
    let resolve!: (value: T | undefined) => void
    const promise = new Promise<T | undefined>((done) => (resolve = done))
    const waiter: Waiter<T> = {promise, resolve, timer: setTimeout(() => this.finish(txHash, waiter, undefined), timeoutMs)}
    let set = this.byHash.get(txHash)
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
