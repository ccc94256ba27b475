/**
 * The archive's on-disk formats (spec §8.4.2.3, §8.4.6). Old block bodies and receipts move out
 * of LevelDB into immutable segment files, each covering a contiguous height range:
 *
 *   <archive dir>/segment-<from>-<to>.seg   'WICHAIN-SEG1' then, per height, deflate(block bytes)
 *                                           and deflate(receipts bytes) (the exact live values)
 *   <archive dir>/segment-<from>-<to>.idx   canonical CBOR: chainId, range, a block table (where
 *                                           each height's blobs sit, its hash and tx count) and a
 *                                           tx table sorted by tx hash (offline lookup by hash)
 *   <archive dir>/manifest.json             the segments with their SM3 digests, for offline readers
 *
 * The authoritative list of segments is the ledger's `archive` metadata (same LevelDB batch that
 * deletes the moved keys); the manifest mirrors it and is rewritten to match it on open.
 * Segments are contiguous from height 0: the ledger's archived-below mark is the last `to` + 1.
 */
import {bytesEqual, fromHex, toHex, utf8} from '../bytes.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readRecord, readString, readUint} from '../codec/fields.js'
import {WichainError} from '../errors.js'
import {compareBytes} from './state.js'

export const ARCHIVE_LIMITS = Object.freeze({
  /** Heights in one segment. */
  segmentBlocksMax: 10_000,
  /** Uncompressed block + receipts bytes in one segment (a single larger block gets its own). */
  segmentRawBytesMax: 32 * 1024 * 1024,
  /** Txs in one segment (the tx table must stay far below the canonical document limit). */
  segmentTxsMax: 200_000,
  segmentsMax: 50_000,
  /** Segment indexes kept decoded in memory by a ledger. */
  indexCacheEntries: 16,
})

export const SEGMENT_MAGIC = utf8('WICHAIN-SEG1')
export const MANIFEST_FILE = 'manifest.json'
const INDEX_FORMAT = 'wichain-archive-index/1'
const STATE_FORMAT = 'wichain-archive-state/1'
const MANIFEST_FORMAT = 'wichain-archive-manifest/1'
const BLOCK_ENTRY_BYTES = 52
const TX_ENTRY_BYTES = 44
const HEIGHT_DIGITS = 12

/** One segment as the ledger records it. `to` is inclusive. */
export interface SegmentInfo {
  readonly from: number
  readonly to: number
  readonly txs: number
  /** Uncompressed block + receipts bytes the segment holds. */
  readonly rawBytes: number
  readonly segmentBytes: number
  readonly segmentDigest: Uint8Array
  readonly indexBytes: number
  readonly indexDigest: Uint8Array
}

export function segmentName(from: number, to: number): string {
  return `segment-${String(from).padStart(HEIGHT_DIGITS, '0')}-${String(to).padStart(HEIGHT_DIGITS, '0')}`
}

/** Segment and index file names (and their temporary names while being written). */
export const SEGMENT_FILE_RE = /^segment-\d+-\d+\.(seg|idx)(\.tmp)?$/

export function archivedBelowOf(segments: readonly SegmentInfo[]): number {
  return segments.length === 0 ? 0 : segments.at(-1)!.to + 1
}

function fail(message: string): never {
  throw new WichainError('DECODE_ERROR', `archive: ${message}`)
}

/** Segments must be contiguous from height 0, each within the limits. */
export function checkSegmentList(segments: readonly SegmentInfo[]): void {
  if (segments.length > ARCHIVE_LIMITS.segmentsMax) fail(`${segments.length} segments; limit ${ARCHIVE_LIMITS.segmentsMax}`)
  let next = 0
  for (const segment of segments) {
    if (segment.from !== next || segment.to < segment.from) fail(`segment ${segment.from}-${segment.to} does not follow height ${next - 1}`)
    if (segment.to - segment.from + 1 > ARCHIVE_LIMITS.segmentBlocksMax) fail(`segment ${segment.from}-${segment.to} is too long`)
    next = segment.to + 1
  }
}

// ---- the ledger's `archive` metadata -------------------------------------------------------

const SEGMENT_KEYS = ['from', 'to', 'txs', 'rawBytes', 'segmentBytes', 'segmentDigest', 'indexBytes', 'indexDigest'] as const

export function encodeArchiveState(segments: readonly SegmentInfo[]): Uint8Array {
  checkSegmentList(segments)
  return encodeCanonical({format: STATE_FORMAT, segments: segments.map((segment) => Object.fromEntries(SEGMENT_KEYS.map((key) => [key, segment[key]])))})
}

export function decodeArchiveState(bytes: Uint8Array): SegmentInfo[] {
  const document = readRecord(decodeCanonical(bytes, 'archive state'), 'archive state', ['format', 'segments'])
  if (document.format !== STATE_FORMAT) fail(`unknown archive state format ${String(document.format)}`)
  const segments = readArray(document.segments, 'archive state segments', ARCHIVE_LIMITS.segmentsMax).map((value) => {
    const fields = readRecord(value, 'archive segment', SEGMENT_KEYS)
    return Object.freeze({
      from: readUint(fields.from, 'segment.from'),
      to: readUint(fields.to, 'segment.to'),
      txs: readUint(fields.txs, 'segment.txs'),
      rawBytes: readUint(fields.rawBytes, 'segment.rawBytes'),
      segmentBytes: readUint(fields.segmentBytes, 'segment.segmentBytes'),
      segmentDigest: readBytes(fields.segmentDigest, 'segment.segmentDigest', {exact: 32}),
      indexBytes: readUint(fields.indexBytes, 'segment.indexBytes'),
      indexDigest: readBytes(fields.indexDigest, 'segment.indexDigest', {exact: 32}),
    })
  })
  checkSegmentList(segments)
  return segments
}

export function sameSegment(a: SegmentInfo, b: SegmentInfo): boolean {
  return SEGMENT_KEYS.every((key) => {
    const [x, y] = [a[key], b[key]]
    return x instanceof Uint8Array && y instanceof Uint8Array ? bytesEqual(x, y) : x === y
  })
}

// ---- the manifest (JSON, for offline readers) ----------------------------------------------

export interface Manifest {
  readonly chainId: string
  readonly segments: readonly SegmentInfo[]
}

export function segmentToJson(segment: SegmentInfo): Record<string, unknown> {
  return {
    file: segmentName(segment.from, segment.to),
    from: segment.from,
    to: segment.to,
    blocks: segment.to - segment.from + 1,
    txs: segment.txs,
    rawBytes: segment.rawBytes,
    segmentBytes: segment.segmentBytes,
    segmentDigest: toHex(segment.segmentDigest),
    indexBytes: segment.indexBytes,
    indexDigest: toHex(segment.indexDigest),
  }
}

export function encodeManifest(manifest: Manifest): string {
  const below = archivedBelowOf(manifest.segments)
  return `${JSON.stringify({format: MANIFEST_FORMAT, chainId: manifest.chainId, below, segments: manifest.segments.map(segmentToJson)}, null, 2)}\n`
}

function jsonUint(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(`manifest ${what} is not a non-negative integer`)
  return value as number
}

function jsonDigest(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) fail(`manifest ${what} is not a 32-byte hex digest`)
  return fromHex(value)
}

export function decodeManifest(text: string): Manifest {
  let document: {format?: unknown; chainId?: unknown; segments?: unknown}
  try {
    document = JSON.parse(text) as typeof document
  } catch (error) {
    fail(`manifest is not JSON (${(error as Error).message})`)
  }
  if (document?.format !== MANIFEST_FORMAT) fail(`manifest format is not ${MANIFEST_FORMAT}`)
  if (typeof document.chainId !== 'string' || !Array.isArray(document.segments)) fail('manifest lacks chainId or segments')
  const segments = document.segments.map((value: Record<string, unknown>, position: number): SegmentInfo => {
    const what = `segment ${position}`
    return Object.freeze({
      from: jsonUint(value?.from, `${what} from`),
      to: jsonUint(value?.to, `${what} to`),
      txs: jsonUint(value?.txs, `${what} txs`),
      rawBytes: jsonUint(value?.rawBytes, `${what} rawBytes`),
      segmentBytes: jsonUint(value?.segmentBytes, `${what} segmentBytes`),
      segmentDigest: jsonDigest(value?.segmentDigest, `${what} segmentDigest`),
      indexBytes: jsonUint(value?.indexBytes, `${what} indexBytes`),
      indexDigest: jsonDigest(value?.indexDigest, `${what} indexDigest`),
    })
  })
  checkSegmentList(segments)
  return {chainId: document.chainId, segments}
}

// ---- the segment index ---------------------------------------------------------------------

/** Where one height's blobs sit in its segment file. */
export interface BlockEntry {
  readonly height: number
  readonly offset: number
  readonly blockLength: number
  readonly receiptsLength: number
  readonly txCount: number
  readonly hash: Uint8Array
}

export interface SegmentIndex {
  readonly chainId: string
  readonly from: number
  readonly to: number
  /** Total bytes of the segment file the index describes. */
  readonly segmentBytes: number
  entry(height: number): BlockEntry
  /** Height and position of a tx, by binary search of the tx table. */
  findTx(txHash: Uint8Array): {height: number; index: number} | undefined
}

export interface IndexInput {
  readonly chainId: string
  readonly blocks: ReadonlyArray<Omit<BlockEntry, 'offset'> & {readonly txHashes: readonly Uint8Array[]}>
}

export function encodeIndex(input: IndexInput): Uint8Array {
  const {blocks} = input
  const table = new Uint8Array(blocks.length * BLOCK_ENTRY_BYTES)
  const view = new DataView(table.buffer)
  const txs: Array<{hash: Uint8Array; height: number; index: number}> = []
  let offset = SEGMENT_MAGIC.length
  blocks.forEach((block, position) => {
    const at = position * BLOCK_ENTRY_BYTES
    view.setBigUint64(at, BigInt(offset))
    view.setUint32(at + 8, block.blockLength)
    view.setUint32(at + 12, block.receiptsLength)
    view.setUint32(at + 16, block.txCount)
    table.set(block.hash, at + 20)
    offset += block.blockLength + block.receiptsLength
    block.txHashes.forEach((hash, index) => txs.push({hash, height: block.height, index}))
  })
  txs.sort((a, b) => compareBytes(a.hash, b.hash))
  const txTable = new Uint8Array(txs.length * TX_ENTRY_BYTES)
  const txView = new DataView(txTable.buffer)
  txs.forEach((tx, position) => {
    const at = position * TX_ENTRY_BYTES
    txTable.set(tx.hash, at)
    txView.setBigUint64(at + 32, BigInt(tx.height))
    txView.setUint32(at + 40, tx.index)
  })
  return encodeCanonical({format: INDEX_FORMAT, chainId: input.chainId, from: blocks[0]!.height, to: blocks.at(-1)!.height, blocks: table, txs: txTable})
}

/** Decode an index and check it is self-consistent and describes the expected segment. */
export function decodeIndex(bytes: Uint8Array, expected: SegmentInfo): SegmentIndex {
  const fields = readRecord(decodeCanonical(bytes, 'archive index'), 'archive index', ['format', 'chainId', 'from', 'to', 'blocks', 'txs'])
  if (fields.format !== INDEX_FORMAT) fail(`unknown index format ${String(fields.format)}`)
  const chainId = readString(fields.chainId, 'index.chainId', 64)
  const from = readUint(fields.from, 'index.from')
  const to = readUint(fields.to, 'index.to')
  if (from !== expected.from || to !== expected.to) fail(`index covers ${from}-${to}, expected ${expected.from}-${expected.to}`)
  const table = readBytes(fields.blocks, 'index.blocks', {exact: (to - from + 1) * BLOCK_ENTRY_BYTES})
  const txTable = readBytes(fields.txs, 'index.txs', {exact: expected.txs * TX_ENTRY_BYTES})
  const entries = blockEntries(table, from)
  const end = entries.at(-1)!
  if (end.offset + end.blockLength + end.receiptsLength !== expected.segmentBytes) fail('index does not end where the segment ends')
  if (entries.reduce((total, entry) => total + entry.txCount, 0) !== expected.txs) fail('index tx counts do not add up')
  const txView = new DataView(txTable.buffer, txTable.byteOffset, txTable.byteLength)
  const txHashAt = (position: number) => txTable.subarray(position * TX_ENTRY_BYTES, position * TX_ENTRY_BYTES + 32)
  for (let position = 1; position < expected.txs; position++) {
    if (compareBytes(txHashAt(position - 1), txHashAt(position)) >= 0) fail('index tx table is not strictly sorted')
  }
  return Object.freeze({
    chainId,
    from,
    to,
    segmentBytes: expected.segmentBytes,
    entry(height: number): BlockEntry {
      const found = entries[height - from]
      if (found === undefined) throw new WichainError('INVALID_ARGUMENT', `height ${height} is not in segment ${from}-${to}`)
      return found
    },
    findTx(txHash: Uint8Array) {
      let low = 0
      let high = expected.txs - 1
      while (low <= high) {
        const middle = (low + high) >>> 1
        const order = compareBytes(txHashAt(middle), txHash)
        if (order === 0) {
          const at = middle * TX_ENTRY_BYTES
          const height = Number(txView.getBigUint64(at + 32))
          const index = txView.getUint32(at + 40)
          if (height < from || height > to || index >= entries[height - from]!.txCount) fail('index tx table points outside its segment')
          return {height, index}
        }
        if (order < 0) low = middle + 1
        else high = middle - 1
      }
      return undefined
    },
  })
}

function blockEntries(table: Uint8Array, from: number): BlockEntry[] {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength)
  const entries: BlockEntry[] = []
  let expectedOffset = SEGMENT_MAGIC.length
  for (let at = 0; at < table.length; at += BLOCK_ENTRY_BYTES) {
    const offset = Number(view.getBigUint64(at))
    if (offset !== expectedOffset) fail(`index entry ${entries.length} starts at ${offset}, expected ${expectedOffset}`)
    const entry = Object.freeze({
      height: from + entries.length,
      offset,
      blockLength: view.getUint32(at + 8),
      receiptsLength: view.getUint32(at + 12),
      txCount: view.getUint32(at + 16),
      hash: table.slice(at + 20, at + BLOCK_ENTRY_BYTES),
    })
    expectedOffset = offset + entry.blockLength + entry.receiptsLength
    entries.push(entry)
  }
  return entries
}
