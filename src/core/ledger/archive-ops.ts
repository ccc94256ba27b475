/**
 * Archiving and restoring, one segment per step, each step crash-safe:
 *
 * archive [from, to]: read the live bodies (checked as every live read is) → write the segment
 *   and index, fsync, read back and compare → rewrite the manifest → ONE LevelDB batch on the
 *   ledger's write queue: delete the bodies and receipts, keep each header (0x08), record the
 *   new segment list. Until that batch lands the segment is unreferenced and the live keys are
 *   intact; after it, the segment is the only copy. Then compact the freed key ranges.
 * restore (the newest segment first): read the whole segment, check its digest and every
 *   height as strictly as a read → ONE batch puts bodies and receipts back, drops the headers and
 *   the segment's record → rewrite the manifest → delete the files.
 *
 * A crash anywhere leaves every height readable: on open the archive store removes files the
 * record does not name and rewrites the manifest (archive-store.ts).
 */
import {WichainError} from '../errors.js'
import type {Block} from '../types/block.js'
import {encodeHeader} from '../types/block.js'
import {ARCHIVE_LIMITS, encodeArchiveState, segmentToJson, type SegmentInfo} from './archive-format.js'
import {prepareRecord, readSegment, removeSegmentFiles, segmentPath, writeSegment, type PreparedRecord} from './archive-segment.js'
import {ARCHIVE_META, type ArchiveStore} from './archive-store.js'
import {blockKey, headerKey, metaKey, receiptsKey} from './keys.js'
import {compactRange, writeBatch, type BatchOperation, type Database} from './store.js'

/** What the ledger lends the archive procedures. */
export interface ArchiveAccess {
  readonly database: Database
  store(): Promise<ArchiveStore>
  headHeight(): number | undefined
  /** Live bytes of one height, checked exactly as live reads are. */
  readLive(height: number): Promise<{block: Block; blockBytes: Uint8Array; receiptsBytes: Uint8Array}>
  /** Check archived bytes of one height exactly as archived reads are. */
  checkArchived(height: number, blockBytes: Uint8Array, receiptsBytes: Uint8Array, file: string): Promise<void>
  /** Run a LevelDB write on the ledger's write queue (in order with block commits). */
  write<T>(task: () => Promise<T>): Promise<T>
  /** Record a failed batch: the ledger refuses further writes until reopened. */
  failWrites(error: Error): void
  /** True once the ledger started closing: stop at the next segment boundary. */
  closing(): boolean
}

export interface ArchiveOptions {
  /** Stop after this many segments (a caller may loop to report progress); default: no limit. */
  readonly segmentsMax?: number
  /** Heights per segment, at most ARCHIVE_LIMITS.segmentBlocksMax. */
  readonly segmentBlocksMax?: number
  /** Called with the number of heights just moved. */
  readonly onProgress?: (heights: number) => void
}

export interface ArchiveStepResult {
  readonly chainId: string
  /** Heights below this are archived now. */
  readonly archivedBelow: number
  /** Segments written (archive) or released (restore) by this call. */
  readonly segments: readonly SegmentInfo[]
  readonly blocks: number
  readonly txs: number
  /** True when the requested work is complete (false when stopped by segmentsMax or close). */
  readonly done: boolean
}

function positiveInteger(value: number | undefined, what: string, max: number): number {
  if (value === undefined) return max
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new WichainError('INVALID_ARGUMENT', `${what} must be an integer 1..${max}`)
  return value
}

function summary(store: ArchiveStore, segments: SegmentInfo[], done: boolean): ArchiveStepResult {
  return {
    chainId: store.chainId,
    archivedBelow: store.below,
    segments,
    blocks: segments.reduce((total, segment) => total + segment.to - segment.from + 1, 0),
    txs: segments.reduce((total, segment) => total + segment.txs, 0),
    done,
  }
}

/** Archive every height below `below` (never the head: `below` may be at most the head height). */
export async function archiveBelow(access: ArchiveAccess, below: number, options: ArchiveOptions = {}): Promise<ArchiveStepResult> {
  const head = access.headHeight()
  if (head === undefined) throw new WichainError('NOT_FOUND', 'the ledger is empty: nothing to archive')
  if (!Number.isSafeInteger(below) || below < 1 || below > head) {
    throw new WichainError('INVALID_ARGUMENT', `--below must be an integer 1..${head} (the head height; the head is never archived)`)
  }
  const segmentsMax = positiveInteger(options.segmentsMax, 'segmentsMax', ARCHIVE_LIMITS.segmentsMax)
  const blocksMax = positiveInteger(options.segmentBlocksMax, 'segmentBlocksMax', ARCHIVE_LIMITS.segmentBlocksMax)
  const store = await access.store()
  store.checkWritable()
  const written: SegmentInfo[] = []
  while (store.below < below && written.length < segmentsMax && !access.closing()) {
    if (store.segments().length >= ARCHIVE_LIMITS.segmentsMax) throw new WichainError('PAYLOAD_TOO_LARGE', `the archive holds ${ARCHIVE_LIMITS.segmentsMax} segments`)
    const {records, headers} = await readRange(access, store.below, below, blocksMax, options.onProgress)
    const segment = await writeSegment(store.directory, store.chainId, records)
    await adoptSegment(access, store, segment, headers)
    written.push(segment)
  }
  if (written.length > 0) await compactArchived(access.database, written[0]!.from, written.at(-1)!.to)
  return summary(store, written, store.below >= below)
}

/** Read live heights from `from` until a segment limit, verified and compressed. */
async function readRange(access: ArchiveAccess, from: number, below: number, blocksMax: number, onProgress?: (heights: number) => void) {
  const records: PreparedRecord[] = []
  const headers: Uint8Array[] = []
  let rawBytes = 0
  let txs = 0
  for (let height = from; height < below && records.length < blocksMax; height++) {
    const {block, blockBytes, receiptsBytes} = await access.readLive(height)
    const size = blockBytes.length + receiptsBytes.length
    const full = rawBytes + size > ARCHIVE_LIMITS.segmentRawBytesMax || txs + block.txs.length > ARCHIVE_LIMITS.segmentTxsMax
    if (records.length > 0 && full) break
    records.push(await prepareRecord({height, hash: block.hash, txHashes: block.txs.map((tx) => tx.hash), blockBytes, receiptsBytes}))
    headers.push(encodeHeader(block.header))
    rawBytes += size
    txs += block.txs.length
    onProgress?.(1)
  }
  return {records, headers}
}

/** The one batch that makes a written segment the home of its heights. */
async function adoptSegment(access: ArchiveAccess, store: ArchiveStore, segment: SegmentInfo, headers: readonly Uint8Array[]): Promise<void> {
  const previous = store.segments()
  const next = [...previous, segment]
  // Offline readers may use the segment at once: it holds exactly the live bytes.
  await store.writeManifest(next)
  await access.write(async () => {
    if (store.below !== segment.from) throw new WichainError('OPERATION_FAILED', `archive moved to ${store.below} while segment ${segment.from}-${segment.to} was written`)
    const operations: BatchOperation[] = []
    for (let height = segment.from; height <= segment.to; height++) {
      operations.push({type: 'del', key: blockKey(height)}, {type: 'del', key: receiptsKey(height)})
      operations.push({type: 'put', key: headerKey(height), value: headers[height - segment.from]!})
    }
    operations.push({type: 'put', key: metaKey(ARCHIVE_META), value: encodeArchiveState(next)})
    // Readers switch to the segment before its keys go; one that read a key just deleted retries.
    store.replace(next)
    try {
      await writeBatch(access.database, operations, true)
    } catch (error) {
      store.replace(previous)
      access.failWrites(error as Error)
      throw error
    }
  })
}

async function compactArchived(database: Database, from: number, to: number): Promise<void> {
  await compactRange(database, blockKey(from), blockKey(to + 1))
  await compactRange(database, receiptsKey(from), receiptsKey(to + 1))
}

/** Move archived heights back into the live store, newest segment first, verifying each. */
export async function restoreArchived(access: ArchiveAccess, options: Omit<ArchiveOptions, 'segmentBlocksMax'> = {}): Promise<ArchiveStepResult> {
  const segmentsMax = positiveInteger(options.segmentsMax, 'segmentsMax', ARCHIVE_LIMITS.segmentsMax)
  const store = await access.store()
  store.checkWritable()
  const released: SegmentInfo[] = []
  while (store.segments().length > 0 && released.length < segmentsMax && !access.closing()) {
    const segment = store.segments().at(-1)!
    const blobs = await readSegment(store.directory, segment, await store.index(segment))
    const file = segmentPath(store.directory, segment, 'seg')
    for (const blob of blobs) await access.checkArchived(blob.height, blob.blockBytes, blob.receiptsBytes, file)
    const next = store.segments().slice(0, -1)
    await access.write(async () => {
      const operations: BatchOperation[] = []
      for (const blob of blobs) {
        operations.push({type: 'put', key: blockKey(blob.height), value: blob.blockBytes})
        operations.push({type: 'put', key: receiptsKey(blob.height), value: blob.receiptsBytes}, {type: 'del', key: headerKey(blob.height)})
      }
      operations.push(next.length === 0 ? {type: 'del', key: metaKey(ARCHIVE_META)} : {type: 'put', key: metaKey(ARCHIVE_META), value: encodeArchiveState(next)})
      try {
        await writeBatch(access.database, operations, true)
      } catch (error) {
        access.failWrites(error as Error)
        throw error
      }
      // The live keys exist from here on; readers still on the segment find it until it is removed.
      store.replace(next)
    })
    await store.writeManifest(next)
    await removeSegmentFiles(store.directory, segment)
    released.push(segment)
    options.onProgress?.(segment.to - segment.from + 1)
  }
  return summary(store, released, store.segments().length === 0)
}

/** Plain JSON of a step result (hex digests), as the RPC and the CLI report it. */
export function stepResultToJson(result: ArchiveStepResult): Record<string, unknown> {
  return {...result, segments: result.segments.map(segmentToJson)}
}
