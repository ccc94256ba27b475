/**
 * Storage writes of one contract call, buffered over a read-only view of committed state. Reads
 * see the call's own writes first. The chain applies `writes()` only if the call succeeds, so a
 * trap, abort or out-of-gas leaves state untouched.
 */
import {toHex} from '../bytes.js'

/** Committed state of one contract, read synchronously (the ledger serves it via getSync). */
export interface StorageView {
  get(key: Uint8Array): Uint8Array | undefined
}

/** One key's final state after a call: a value, or null for a delete. */
export interface StorageWrite {
  readonly key: Uint8Array
  readonly value: Uint8Array | null
}

/** Thrown when the StorageView itself fails: a node fault, not a contract failure. */
export class StorageFault extends Error {
  constructor(cause: unknown) {
    super(`storage read failed: ${cause instanceof Error ? cause.message : String(cause)}`, {cause})
    this.name = 'StorageFault'
  }
}

export class WriteBuffer {
  private readonly pending = new Map<string, StorageWrite>()

  constructor(private readonly view: StorageView) {}

  get size(): number {
    return this.pending.size
  }

  has(key: Uint8Array): boolean {
    return this.pending.has(toHex(key))
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const buffered = this.pending.get(toHex(key))
    if (buffered !== undefined) return buffered.value ?? undefined
    try {
      return this.view.get(key)
    } catch (error) {
      throw new StorageFault(error)
    }
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.pending.set(toHex(key), Object.freeze({key, value}))
  }

  delete(key: Uint8Array): void {
    this.pending.set(toHex(key), Object.freeze({key, value: null}))
  }

  /** Final writes, sorted by key bytes so every node lists them in the same order. */
  writes(): readonly StorageWrite[] {
    const keys = [...this.pending.keys()].sort()
    return Object.freeze(keys.map((key) => this.pending.get(key)!))
  }
}
