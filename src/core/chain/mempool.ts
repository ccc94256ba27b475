/**
 * A bounded FIFO pool of verified, not yet committed txs. Admission checks are done by the caller
 * (Chain.admit); the pool itself refuses duplicates and overflow, and forgets txs once they are
 * committed or expired. Insertion order is block order, so a sender's txs keep their order.
 */
import {WichainError} from '../errors.js'
import type {Tx} from '../types/tx.js'

export class Mempool {
  private readonly txs = new Map<string, Tx>()
  private readonly admitted = new Map<string, number>()
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

  add(tx: Tx, now: number = Date.now()): void {
    if (this.txs.has(tx.hashHex)) throw new WichainError('DUPLICATE_TX', `tx ${tx.hashHex} is already pending`)
    if (this.txs.size >= this.limits.txsMax || this.bytes + tx.bytes.length > this.limits.bytesMax) {
      throw new WichainError('MEMPOOL_FULL', `mempool is full (${this.txs.size} txs, ${this.bytes} bytes)`)
    }
    this.txs.set(tx.hashHex, tx)
    this.admitted.set(tx.hashHex, now)
    this.bytes += tx.bytes.length
  }

  /** Up to `countMax` txs in arrival order that are still valid at `height`. */
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
