/**
 * A bounded FIFO pool of verified, not yet committed txs. Admission checks are done by the caller
 * (Chain.admit); the pool itself refuses duplicates and overflow, and forgets txs once they are
 * committed or expired. Insertion order is block order, so a sender's txs keep their order.
 */
import {WichainError} from '../errors.js'
import {REFORWARD_AFTER_MS, REFORWARD_AFTER_MS_MAX} from '../limits.js'
import type {Tx} from '../types/tx.js'

export class Mempool {
  private readonly txs = new Map<string, Tx>()
  private readonly admitted = new Map<string, number>()
  /**
   * Txs a client gave this node, by when they are due to be forwarded again and the wait after
   * that. Least recently forwarded first (a forward moves a tx to the end).
   */
  private readonly forwardDue = new Map<string, {at: number; waitMs: number}>()
  private bytes = 0

  constructor(
    private readonly limits: {readonly txsMax: number; readonly bytesMax: number},
  ) {}

  get size(): number {
    return this.txs.size
  }

  get sizeBytes(): number {
    return this.bytes
  }

  get(hashHex: string): Tx | undefined {
    return this.txs.get(hashHex)
  }

  has(hashHex: string): boolean {
    return this.txs.has(hashHex)
  }

  /** When the tx entered the pool (ms, the caller's clock), while it is pending. */
  admittedAt(hashHex: string): number | undefined {
    return this.admitted.get(hashHex)
  }

  /** `fromClient`: this node forwards the tx, and forwards it again while it stays pending (`dueForForward`). */
  add(tx: Tx, now: number = Date.now(), fromClient = false): void {
    if (this.txs.has(tx.hashHex)) throw new WichainError('DUPLICATE_TX', `tx ${tx.hashHex} is already pending`)
    if (this.txs.size >= this.limits.txsMax || this.bytes + tx.bytes.length > this.limits.bytesMax) {
      throw new WichainError('MEMPOOL_FULL', `mempool is full (${this.txs.size} txs, ${this.bytes} bytes)`)
    }
    this.txs.set(tx.hashHex, tx)
    this.admitted.set(tx.hashHex, now)
    if (fromClient) this.forwardDue.set(tx.hashHex, {at: now + REFORWARD_AFTER_MS, waitMs: REFORWARD_AFTER_MS})
    this.bytes += tx.bytes.length
  }

  /**
   * A client sent a tx that is pending here again: forward it at the next `dueForForward`, and on
   * the backoff after that — also when it first came from a peer (the node a client gave it to
   * may have lost it, e.g. restarted from an old store, and be the one that proposes now).
   */
  forwardSoon(hashHex: string, now: number): void {
    if (!this.txs.has(hashHex)) return
    const due = this.forwardDue.get(hashHex)
    if (due !== undefined) due.at = Math.min(due.at, now)
    else this.forwardDue.set(hashHex, {at: now, waitMs: REFORWARD_AFTER_MS})
  }

  /**
   * Client txs due to be forwarded again: at most `countMax`, looking at no more than four times
   * as many. Each is rescheduled with a doubled wait.
   */
  dueForForward(now: number, countMax: number): Tx[] {
    const due: Tx[] = []
    let looked = 0
    for (const [hashHex, schedule] of this.forwardDue) {
      if (due.length >= countMax || looked++ >= 4 * countMax) break
      if (schedule.at > now) continue
      const waitMs = Math.min(2 * schedule.waitMs, REFORWARD_AFTER_MS_MAX)
      this.forwardDue.delete(hashHex)
      this.forwardDue.set(hashHex, {at: now + waitMs, waitMs})
      due.push(this.txs.get(hashHex)!)
    }
    return due
  }

  /** The oldest txs still valid at `height`: at most `countMax` of them and `bytesMax` bytes. */
  take(countMax: number, height: number, bytesMax = Number.MAX_SAFE_INTEGER): Tx[] {
    const selected: Tx[] = []
    let bytes = 0
    for (const tx of this.txs.values()) {
      if (selected.length >= countMax) break
      if (tx.body.expiry < height) continue
      if (bytes + tx.bytes.length > bytesMax) break
      bytes += tx.bytes.length
      selected.push(tx)
    }
    return selected
  }

  remove(hashHexes: Iterable<string>): void {
    for (const hashHex of hashHexes) {
      const tx = this.txs.get(hashHex)
      if (tx === undefined) continue
      this.txs.delete(hashHex)
      this.admitted.delete(hashHex)
      this.forwardDue.delete(hashHex)
      this.bytes -= tx.bytes.length
    }
  }

  /** Drop txs that can no longer be included at `height` or later. Returns how many. */
  pruneExpired(height: number): number {
    const expired: string[] = []
    for (const tx of this.txs.values()) if (tx.body.expiry < height) expired.push(tx.hashHex)
    this.remove(expired)
    return expired.length
  }
}
