/**
 * The simulator's disk: one in-memory key-value store per node directory, standing in for the
 * Ledger's LevelDB (injected through LedgerOptions.openDatabase). It implements the part of the
 * abstract-level API the ledger uses (store.ts: get, getSync, getMany, chained batches, ranged
 * iterators and key iterators, close) with LevelDB's guarantees as the simulator needs them:
 *  - a batch is applied atomically when it is written (all of it or, on a failure, none): a crash
 *    keeps exactly the batches whose write was issued, as LevelDB does for a killed process;
 *  - iterators read a snapshot taken when they are created; keys sort bytewise;
 *  - a store open in one handle refuses a second open (LevelDB's lock: NODE_RUNNING);
 *  - reads hand out copies, so no caller can change what is stored.
 * Nothing here waits on a thread or a timer: every operation completes in microtasks, so the run
 * loop's idle wait costs a loop turn instead of a LevelDB round trip. A crash is closing the
 * handle; a snapshot of a stopped node is a copy of its map.
 */
import {WichainError} from '../errors.js'
import type {Database} from '../ledger/store.js'

type Entries = Map<string, Uint8Array>

/** latin1 keeps bytewise order: one UTF-16 unit per byte, compared as numbers. */
const keyOf = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
const bytesOf = (key: string): Uint8Array => new Uint8Array(Buffer.from(key, 'latin1'))

interface Range {
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
  readonly limit?: number
}

export class MemoryDisk {
  private readonly stores = new Map<string, Entries>()
  private readonly open = new Set<string>()

  /** LedgerOptions.openDatabase for this disk. */
  readonly openDatabase = async (directory: string): Promise<Database> => {
    if (this.open.has(directory)) {
      throw new WichainError('NODE_RUNNING', `ledger ${directory} is locked: another open ledger in this process holds it; stop that node first`, {directory})
    }
    let entries = this.stores.get(directory)
    if (entries === undefined) {
      entries = new Map()
      this.stores.set(directory, entries)
    }
    this.open.add(directory)
    return new MemoryDatabase(entries, () => this.open.delete(directory)) as unknown as Database
  }

  /** Copies a (closed) store to another directory, replacing what was there. */
  copy(from: string, to: string): void {
    this.stores.set(to, new Map(this.stores.get(from) ?? []))
  }

  /** Moves a store to another directory (the source is gone afterwards). */
  move(from: string, to: string): void {
    this.stores.set(to, this.stores.get(from) ?? new Map())
    this.stores.delete(from)
  }

  /** Entries stored for a directory (for tests). */
  size(directory: string): number {
    return this.stores.get(directory)?.size ?? 0
  }
}

class MemoryDatabase {
  private closed = false

  constructor(
    private readonly entries: Entries,
    private readonly release: () => void,
  ) {}

  private check(): void {
    if (this.closed) throw new Error('Database is not open')
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    this.check()
    return this.entries.get(keyOf(key))?.slice()
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getSync(key)
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.check()
    return keys.map((key) => this.entries.get(keyOf(key))?.slice())
  }

  batch(): MemoryBatch {
    this.check()
    return new MemoryBatch(this.entries, () => this.check())
  }

  iterator(range: Range): SnapshotIterator<[Uint8Array, Uint8Array]> {
    return new SnapshotIterator(this.select(range).map(([key, value]) => [bytesOf(key), value.slice()]))
  }

  keys(range: Range): SnapshotIterator<Uint8Array> {
    return new SnapshotIterator(this.select(range).map(([key]) => bytesOf(key)))
  }

  private select(range: Range): [string, Uint8Array][] {
    this.check()
    const gte = range.gte === undefined ? undefined : keyOf(range.gte)
    const lt = range.lt === undefined ? undefined : keyOf(range.lt)
    const selected = [...this.entries].filter(([key]) => (gte === undefined || key >= gte) && (lt === undefined || key < lt))
    selected.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const limit = range.limit === undefined || range.limit < 0 ? selected.length : range.limit
    return selected.slice(0, limit)
  }

  async compactRange(): Promise<void> {
    this.check()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.release()
  }
}

class MemoryBatch {
  private readonly operations: {key: string; value: Uint8Array | undefined}[] = []
  private done = false

  constructor(
    private readonly entries: Entries,
    private readonly check: () => void,
  ) {}

  put(key: Uint8Array, value: Uint8Array): this {
    this.operations.push({key: keyOf(key), value: value.slice()})
    return this
  }

  del(key: Uint8Array): this {
    this.operations.push({key: keyOf(key), value: undefined})
    return this
  }

  /** Applies every operation at once (the store is checked first, so a failure applies none). */
  async write(_options?: {sync?: boolean}): Promise<void> {
    if (this.done) throw new Error('Batch is not open')
    this.check()
    this.done = true
    for (const {key, value} of this.operations) {
      if (value === undefined) this.entries.delete(key)
      else this.entries.set(key, value)
    }
  }

  async close(): Promise<void> {
    this.done = true
  }
}

class SnapshotIterator<T> {
  private index = 0

  constructor(private readonly items: readonly T[]) {}

  async next(): Promise<T | undefined> {
    return this.items[this.index++]
  }

  async close(): Promise<void> {
    this.index = this.items.length
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    while (this.index < this.items.length) yield this.items[this.index++]!
  }
}
