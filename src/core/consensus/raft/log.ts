/**
 * The Raft log: a snapshot (everything up to `snapshot.index` is committed and applied, kept only
 * as metadata: the blocks live in the chain store) followed by the entries after it. Indices
 * count entries of every kind; heights count blocks only.
 */
import {assert} from '../../assert.js'
import type {NodeId} from '../engine.js'
import type {RaftEntry, SnapshotMeta} from './messages.js'

export class RaftLog {
  snapshot: SnapshotMeta
  private entries: RaftEntry[]

  constructor(snapshot: SnapshotMeta, entries: readonly RaftEntry[] = []) {
    this.snapshot = snapshot
    this.entries = entries.slice()
  }

  get firstIndex(): number {
    return this.snapshot.index + 1
  }

  lastIndex(): number {
    return this.snapshot.index + this.entries.length
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!
  }

  lastHeight(): number {
    return this.entries.length === 0 ? this.snapshot.height : this.entries[this.entries.length - 1]!.height
  }

  /** The term of entry `index`, or undefined if it is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapshot.index) return this.snapshot.term
    return this.entry(index)?.term
  }

  entry(index: number): RaftEntry | undefined {
    if (index <= this.snapshot.index) return undefined
    return this.entries[index - this.snapshot.index - 1]
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** Entries from `from`, at most `countMax` of them and (past the first) `bytesMax` of payload. */
  slice(from: number, countMax: number, bytesMax: number): RaftEntry[] {
    assert(from > this.snapshot.index, 'slice starts after the snapshot')
    const selected: RaftEntry[] = []
    let bytes = 0
    for (let index = from; index <= this.lastIndex() && selected.length < countMax; index++) {
      const entry = this.entry(index)!
      bytes += entry.payload?.length ?? 0
      if (selected.length > 0 && bytes > bytesMax) break
      selected.push(entry)
    }
    return selected
  }

  append(entry: RaftEntry): number {
    this.entries.push(entry)
    return this.lastIndex()
  }

  /** Drops entry `index` and everything after it (a conflicting, uncommitted suffix). */
  truncateFrom(index: number): void {
    assert(index > this.snapshot.index, 'never truncate into the snapshot')
    this.entries.length = index - this.snapshot.index - 1
  }

  /** The member list in effect after entry `index` (the latest config entry at or before it). */
  configAt(index: number): readonly NodeId[] {
    for (let i = Math.min(index, this.lastIndex()); i > this.snapshot.index; i--) {
      const config = this.entry(i)!.config
      if (config !== undefined) return config
    }
    return this.snapshot.config
  }

  latestConfig(): readonly NodeId[] {
    return this.configAt(this.lastIndex())
  }

  /** Index of the latest config entry (the snapshot index if there is none after it). */
  latestConfigIndex(): number {
    for (let i = this.lastIndex(); i > this.snapshot.index; i--) if (this.entry(i)!.config !== undefined) return i
    return this.snapshot.index
  }

  /** Index of the block entry of `height`, if the log still holds it. */
  indexOfHeight(height: number): number | undefined {
    for (let i = this.lastIndex(); i > this.snapshot.index; i--) {
      const entry = this.entry(i)!
      if (entry.kind === 'block' && entry.height === height) return i
      if (entry.height < height) return undefined
    }
    return undefined
  }

  /** Forget entries up to `index` (committed and applied), keeping their metadata. */
  compact(index: number): void {
    if (index <= this.snapshot.index) return
    assert(index <= this.lastIndex(), 'compact within the log')
    const entry = this.entry(index)!
    const config = this.configAt(index)
    this.entries = this.entries.slice(index - this.snapshot.index)
    this.snapshot = {index, term: entry.term, height: entry.height, config}
  }

  /** Replace the whole log with a snapshot received from the leader. */
  restore(snapshot: SnapshotMeta): void {
    this.snapshot = snapshot
    this.entries = []
  }

  all(): readonly RaftEntry[] {
    return this.entries
  }

  /** Raft §5.4.1: a log is at least as up to date if its last term is higher, or equal with an index as high. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm()
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex())
  }
}
