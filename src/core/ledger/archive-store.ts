/**
 * A ledger's view of its archive: which segments hold which heights (from the ledger's
 * `ledger.archive` metadata, the single source of truth), a cache of verified segment indexes,
 * and reads of one height's archived block or receipts bytes.
 *
 * On open it reconciles the directory with that metadata: segment files no segment record names
 * (left by a crash before the LevelDB batch that would have adopted them, or after the batch of a
 * restore that released them) are removed, and the manifest is rewritten to match. A directory
 * whose manifest names another chain is never touched.
 *
 * `generation` changes whenever the segment list changes, so a read that raced with an archive
 * or restore step can tell and retry on the other side (see Ledger.bodyRead).
 */
import {basename, dirname, join, resolve} from 'node:path'
import {LruMap} from '../crypto/lru.js'
import {WichainError} from '../errors.js'
import type {Logger} from '../log.js'
import {
  ARCHIVE_LIMITS, archivedBelowOf, decodeArchiveState, sameSegment, segmentName, type Manifest, type SegmentIndex, type SegmentInfo,
} from './archive-format.js'
import {listSegmentFiles, loadIndex, readBlob, readManifestFile, removeFiles, segmentPath, writeManifestFile, type BlobPart} from './archive-segment.js'
import {corrupt} from './records.js'

/** The metadata entry (in the same LevelDB) that records the archive's segments. */
export const ARCHIVE_META = 'ledger.archive'

export class ArchiveStore {
  private segmentList: readonly SegmentInfo[]
  private readonly indexes = new LruMap<number, Promise<SegmentIndex>>(ARCHIVE_LIMITS.indexCacheEntries)
  private changes = 0

  private constructor(
    readonly directory: string,
    readonly chainId: string,
    segments: readonly SegmentInfo[],
    /** The directory holds another chain's archive: never written or cleaned by this ledger. */
    private readonly foreign: boolean,
  ) {
    this.segmentList = Object.freeze([...segments])
  }

  /** Decode the recorded segments and reconcile the directory with them. */
  static async open(directory: string, chainId: string, state: Uint8Array | undefined, stateKey: Uint8Array, logger: Logger): Promise<ArchiveStore> {
    let segments: SegmentInfo[] = []
    try {
      if (state !== undefined) segments = decodeArchiveState(state)
    } catch (error) {
      throw corrupt('archive record does not decode', stateKey, error)
    }
    let manifest: Awaited<ReturnType<typeof readManifestFile>>
    try {
      manifest = await readManifestFile(directory)
    } catch (error) {
      // Unreadable: it may name another chain's files. With none recorded here, leave the
      // directory alone (no reconcile, no deletes); with some, the record is the truth and the
      // manifest is rewritten from it.
      logger.warn('archive manifest unreadable', {directory, error: (error as Error).message})
      if (segments.length === 0) return new ArchiveStore(directory, chainId, segments, true)
    }
    if (manifest !== undefined && manifest.chainId !== chainId) {
      if (segments.length > 0) {
        throw new WichainError('STORAGE_ERROR', `archive directory ${directory} holds chain "${manifest.chainId}", this ledger is "${chainId}"`)
      }
      logger.warn('archive directory belongs to another chain; archiving is disabled', {directory, chainId: manifest.chainId})
      return new ArchiveStore(directory, chainId, segments, true)
    }
    const store = new ArchiveStore(directory, chainId, segments, false)
    await store.reconcile(manifest, logger)
    return store
  }

  private async reconcile(manifest: Manifest | undefined, logger: Logger): Promise<void> {
    const kept = new Set(this.segmentList.flatMap((segment) => ['seg', 'idx'].map((extension) => `${segmentName(segment.from, segment.to)}.${extension}`)))
    const stray = (await listSegmentFiles(this.directory)).filter((name) => !kept.has(name))
    if (stray.length > 0) logger.warn('removing archive files no archive record names', {directory: this.directory, files: stray})
    await removeFiles(this.directory, stray)
    const matches = manifest !== undefined && manifest.segments.length === this.segmentList.length
      && manifest.segments.every((segment, position) => sameSegment(segment, this.segmentList[position]!))
    if (!matches && (manifest !== undefined || this.segmentList.length > 0)) await this.writeManifest(this.segmentList)
  }

  get generation(): number {
    return this.changes
  }

  /** Heights below this are archived. */
  get below(): number {
    return archivedBelowOf(this.segmentList)
  }

  holds(height: number): boolean {
    return height < this.below
  }

  segments(): readonly SegmentInfo[] {
    return this.segmentList
  }

  /** Refuse to write into a directory that holds another chain's archive. */
  checkWritable(): void {
    if (this.foreign) throw new WichainError('STORAGE_ERROR', `archive directory ${this.directory} holds another chain's archive`)
  }

  /** Replace the segment list (after its LevelDB record was, or is about to be, written). */
  replace(segments: readonly SegmentInfo[]): void {
    const next = Object.freeze([...segments])
    for (const segment of this.segmentList) if (!next.includes(segment)) this.indexes.delete(segment.from)
    this.segmentList = next
    this.changes++
  }

  writeManifest(segments: readonly SegmentInfo[]): Promise<void> {
    this.checkWritable()
    return writeManifestFile(this.directory, {chainId: this.chainId, segments})
  }

  private segmentOf(height: number): SegmentInfo {
    const list = this.segmentList
    let low = 0
    let high = list.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const segment = list[middle]!
      if (height < segment.from) high = middle - 1
      else if (height > segment.to) low = middle + 1
      else return segment
    }
    throw new WichainError('NOT_FOUND', `height ${height} is not archived`)
  }

  index(segment: SegmentInfo): Promise<SegmentIndex> {
    let loading = this.indexes.get(segment.from)
    if (loading === undefined) {
      loading = loadIndex(this.directory, segment)
      loading.catch(() => this.indexes.delete(segment.from))
      this.indexes.set(segment.from, loading)
    }
    return loading
  }

  /** The archived bytes of one height (as they were stored live), and the file they came from. */
  async read(height: number, part: BlobPart): Promise<{bytes: Uint8Array; file: string}> {
    const segment = this.segmentOf(height)
    const entry = (await this.index(segment)).entry(height)
    return {bytes: await readBlob(this.directory, segment, entry, part), file: segmentPath(this.directory, segment, 'seg')}
  }
}

/**
 * Where a ledger's archive lives by default: HOME/archive/<chainId> for a ledger in a node home
 * (HOME/data/<chainId>), else `<ledger directory>.archive` beside it.
 */
export function defaultArchiveDirectory(ledgerDirectory: string): string {
  const directory = resolve(ledgerDirectory)
  const parent = dirname(directory)
  return basename(parent) === 'data' ? join(dirname(parent), 'archive', basename(directory)) : `${directory}.archive`
}
