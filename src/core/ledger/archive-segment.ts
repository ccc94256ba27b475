/**
 * Segment files on disk (formats in archive-format.ts): writing a segment durably (temporary
 * file → fsync → rename → fsync of the directory) and reading it back verified; loading an index
 * against its recorded size and SM3 digest; reading one height's blob; the manifest file.
 * Every failure to read what a segment promises is CORRUPT_DATA naming the file; other I/O
 * failures are STORAGE_ERROR. Nothing here knows LevelDB.
 */
import {mkdir, open, readdir, readFile, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {deflateRaw, inflateRaw} from 'node:zlib'
import {bytesEqual, concatBytes, utf8} from '../bytes.js'
import {CANONICAL_DOCUMENT_BYTES_MAX} from '../codec/canonical.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'
import {BLOCK_LIMITS} from '../types/block.js'
import {
  decodeIndex, decodeManifest, encodeIndex, encodeManifest, MANIFEST_FILE, SEGMENT_FILE_RE, SEGMENT_MAGIC, segmentName,
  type BlockEntry, type Manifest, type SegmentIndex, type SegmentInfo,
} from './archive-format.js'
import {corrupt} from './records.js'

const deflate = promisify(deflateRaw)
const inflate = promisify(inflateRaw)

export type BlobPart = 'block' | 'receipts'
const PART_BYTES_MAX: Record<BlobPart, number> = {block: BLOCK_LIMITS.bytesMax, receipts: CANONICAL_DOCUMENT_BYTES_MAX}

/** One height, compressed and ready to be written, with digests of the raw bytes for the read-back check. */
export interface PreparedRecord {
  readonly height: number
  readonly hash: Uint8Array
  readonly txHashes: readonly Uint8Array[]
  readonly block: Uint8Array
  readonly receipts: Uint8Array
  readonly rawBytes: number
  readonly rawDigest: Uint8Array
}

export function segmentPath(directory: string, segment: {from: number; to: number}, extension: 'seg' | 'idx'): string {
  return join(directory, `${segmentName(segment.from, segment.to)}.${extension}`)
}

function storageError(action: string, path: string, error: unknown): WichainError {
  return new WichainError('STORAGE_ERROR', `archive: cannot ${action} ${path}: ${(error as Error).message}`, {file: path}, {cause: error})
}

export async function prepareRecord(input: {height: number; hash: Uint8Array; txHashes: readonly Uint8Array[]; blockBytes: Uint8Array; receiptsBytes: Uint8Array}): Promise<PreparedRecord> {
  const [block, receipts] = await Promise.all([deflate(input.blockBytes), deflate(input.receiptsBytes)])
  return {
    height: input.height,
    hash: input.hash,
    txHashes: input.txHashes,
    block: new Uint8Array(block),
    receipts: new Uint8Array(receipts),
    rawBytes: input.blockBytes.length + input.receiptsBytes.length,
    rawDigest: sm3(input.blockBytes, input.receiptsBytes),
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Write `bytes` to `path` so that after a crash the file is either absent or complete. */
async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp`
  try {
    const handle = await open(temporary, 'w')
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  } catch (error) {
    throw storageError('write', path, error)
  }
}

async function readWhole(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw corrupt('archive file is missing', path, error)
    throw storageError('read', path, error)
  }
}

/** Read a file and check its size and SM3 digest against what the ledger recorded. */
async function readVerified(path: string, bytes: number, digest: Uint8Array): Promise<Uint8Array> {
  const content = await readWhole(path)
  if (content.length !== bytes) throw corrupt(`archive file is ${content.length} bytes, recorded ${bytes}`, path)
  if (!bytesEqual(sm3(content), digest)) throw corrupt('archive file does not match its recorded SM3 digest', path)
  return content
}

async function inflateBlob(compressed: Uint8Array, part: BlobPart, path: string, height: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await inflate(compressed, {maxOutputLength: PART_BYTES_MAX[part]}))
  } catch (error) {
    throw corrupt(`${part} of block ${height} does not decompress`, path, error)
  }
}

/** Write a segment and its index durably, read both back and check every blob; returns its record. */
export async function writeSegment(directory: string, chainId: string, records: readonly PreparedRecord[]): Promise<SegmentInfo> {
  const from = records[0]!.height
  const to = records.at(-1)!.height
  try {
    await mkdir(directory, {recursive: true})
  } catch (error) {
    throw storageError('create', directory, error)
  }
  const segmentBytes = concatBytes(SEGMENT_MAGIC, ...records.flatMap((record) => [record.block, record.receipts]))
  const indexBytes = encodeIndex({
    chainId,
    blocks: records.map((record) => ({
      height: record.height, blockLength: record.block.length, receiptsLength: record.receipts.length,
      txCount: record.txHashes.length, hash: record.hash, txHashes: record.txHashes,
    })),
  })
  const info: SegmentInfo = Object.freeze({
    from, to,
    txs: records.reduce((total, record) => total + record.txHashes.length, 0),
    rawBytes: records.reduce((total, record) => total + record.rawBytes, 0),
    segmentBytes: segmentBytes.length,
    segmentDigest: sm3(segmentBytes),
    indexBytes: indexBytes.length,
    indexDigest: sm3(indexBytes),
  })
  await writeDurably(segmentPath(directory, info, 'seg'), segmentBytes)
  await writeDurably(segmentPath(directory, info, 'idx'), indexBytes)
  try {
    await fsyncDirectory(directory)
  } catch (error) {
    throw storageError('sync', directory, error)
  }
  await checkWritten(directory, info, records)
  return info
}

/** Read back what was just written, as a later reader would, and compare every blob's raw bytes. */
async function checkWritten(directory: string, info: SegmentInfo, records: readonly PreparedRecord[]): Promise<void> {
  const blobs = await readSegment(directory, info, await loadIndex(directory, info))
  blobs.forEach((blob, position) => {
    if (!bytesEqual(sm3(blob.blockBytes, blob.receiptsBytes), records[position]!.rawDigest)) {
      throw corrupt(`block ${blob.height} did not read back as written`, segmentPath(directory, info, 'seg'))
    }
  })
}

export async function loadIndex(directory: string, info: SegmentInfo): Promise<SegmentIndex> {
  const path = segmentPath(directory, info, 'idx')
  const bytes = await readVerified(path, info.indexBytes, info.indexDigest)
  try {
    return decodeIndex(bytes, info)
  } catch (error) {
    throw corrupt('archive index does not decode', path, error)
  }
}

/** One height's block or receipts bytes, read at the offset its (verified) index gives. */
export async function readBlob(directory: string, info: SegmentInfo, entry: BlockEntry, part: BlobPart): Promise<Uint8Array> {
  const path = segmentPath(directory, info, 'seg')
  const [offset, length] = part === 'block' ? [entry.offset, entry.blockLength] : [entry.offset + entry.blockLength, entry.receiptsLength]
  const compressed = new Uint8Array(length)
  try {
    const handle = await open(path, 'r')
    try {
      const {bytesRead} = await handle.read(compressed, 0, length, offset)
      if (bytesRead !== length) throw corrupt(`${part} of block ${entry.height} is cut short`, path)
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (error instanceof WichainError) throw error
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw corrupt('archive segment file is missing', path, error)
    throw storageError('read', path, error)
  }
  return inflateBlob(compressed, part, path, entry.height)
}

export interface SegmentBlob {
  readonly height: number
  readonly hash: Uint8Array
  readonly blockBytes: Uint8Array
  readonly receiptsBytes: Uint8Array
}

/** A whole segment file, after checking its recorded size, SM3 digest and magic. */
export async function readSegmentFile(directory: string, info: SegmentInfo): Promise<Uint8Array> {
  const path = segmentPath(directory, info, 'seg')
  const content = await readVerified(path, info.segmentBytes, info.segmentDigest)
  if (!bytesEqual(content.subarray(0, SEGMENT_MAGIC.length), SEGMENT_MAGIC)) throw corrupt('not a wichain archive segment', path)
  return content
}

/** One height's block or receipts bytes out of a verified segment file's content. */
export function blobOf(content: Uint8Array, entry: BlockEntry, part: BlobPart, path: string): Promise<Uint8Array> {
  const start = part === 'block' ? entry.offset : entry.offset + entry.blockLength
  return inflateBlob(content.subarray(start, start + (part === 'block' ? entry.blockLength : entry.receiptsLength)), part, path, entry.height)
}

/** Every height of a segment, after checking the whole file against its recorded size and digest. */
export async function readSegment(directory: string, info: SegmentInfo, index: SegmentIndex): Promise<SegmentBlob[]> {
  const path = segmentPath(directory, info, 'seg')
  const content = await readSegmentFile(directory, info)
  const blobs: SegmentBlob[] = []
  for (let height = info.from; height <= info.to; height++) {
    const entry = index.entry(height)
    const [blockBytes, receiptsBytes] = await Promise.all([blobOf(content, entry, 'block', path), blobOf(content, entry, 'receipts', path)])
    blobs.push({height, hash: entry.hash, blockBytes, receiptsBytes})
  }
  return blobs
}

export async function removeSegmentFiles(directory: string, info: {from: number; to: number}): Promise<void> {
  await removeFiles(directory, [`${segmentName(info.from, info.to)}.seg`, `${segmentName(info.from, info.to)}.idx`])
}

/** Names of every segment or index file (and leftover temporary file) in the directory. */
export async function listSegmentFiles(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).filter((name) => SEGMENT_FILE_RE.test(name))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw storageError('list', directory, error)
  }
}

export async function removeFiles(directory: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return
  try {
    for (const name of names) await rm(join(directory, name), {force: true})
    await fsyncDirectory(directory)
  } catch (error) {
    throw storageError('remove files in', directory, error)
  }
}

export async function writeManifestFile(directory: string, manifest: Manifest): Promise<void> {
  try {
    await mkdir(directory, {recursive: true})
  } catch (error) {
    throw storageError('create', directory, error)
  }
  await writeDurably(join(directory, MANIFEST_FILE), utf8(encodeManifest(manifest)))
  try {
    await fsyncDirectory(directory)
  } catch (error) {
    throw storageError('sync', directory, error)
  }
}

/** The manifest, or undefined when the directory holds none. */
export async function readManifestFile(directory: string): Promise<Manifest | undefined> {
  const path = join(directory, MANIFEST_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw storageError('read', path, error)
  }
  try {
    return decodeManifest(text)
  } catch (error) {
    throw corrupt('archive manifest does not decode', path, error)
  }
}
