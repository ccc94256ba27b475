/**
 * Reading an archive directory on its own, without its ledger: offline, or while a running node
 * holds the LevelDB lock (segments, indexes and the manifest are plain files). Everything read
 * is checked: the index and segment files against the sizes and SM3 digests in the manifest,
 * the block against its txRoot and the hash the index recorded, the receipts against the
 * receiptRoot. (The live hash index is out of reach here; the ledger checks against it.)
 */
import {bytesEqual} from '../bytes.js'
import {WichainError} from '../errors.js'
import type {Block} from '../types/block.js'
import type {Receipt} from '../types/receipt.js'
import {archivedBelowOf, segmentName, type Manifest, type SegmentInfo} from './archive-format.js'
import {blobOf, loadIndex, readManifestFile, readSegmentFile, segmentPath} from './archive-segment.js'
import {corrupt, decodeStoredBlock, decodeStoredReceipts} from './records.js'

export interface ArchivedBlock {
  readonly block: Block
  readonly receipts: readonly Receipt[]
  /** Name of the segment that holds it. */
  readonly segment: string
}

export class ArchiveReader {
  private constructor(
    readonly directory: string,
    private readonly manifest: Manifest,
  ) {}

  /** NOT_FOUND when the directory holds no archive. */
  static async open(directory: string): Promise<ArchiveReader> {
    const manifest = await readManifestFile(directory)
    if (manifest === undefined) throw new WichainError('NOT_FOUND', `no archive in ${directory}`)
    return new ArchiveReader(directory, manifest)
  }

  get chainId(): string {
    return this.manifest.chainId
  }

  get archivedBelow(): number {
    return archivedBelowOf(this.manifest.segments)
  }

  segments(): readonly SegmentInfo[] {
    return this.manifest.segments
  }

  /** The archived block at `height` with its receipts, or undefined when not archived. */
  async block(height: number): Promise<ArchivedBlock | undefined> {
    if (!Number.isSafeInteger(height) || height < 0) throw new WichainError('INVALID_ARGUMENT', `height ${height} is not a non-negative integer`)
    const segment = this.manifest.segments.find((candidate) => candidate.from <= height && height <= candidate.to)
    return segment === undefined ? undefined : this.read(segment, height)
  }

  /** The archived tx's block and position, or undefined when no segment holds it. */
  async findTx(txHash: Uint8Array): Promise<(ArchivedBlock & {index: number}) | undefined> {
    if (!(txHash instanceof Uint8Array) || txHash.length !== 32) throw new WichainError('INVALID_ARGUMENT', 'tx hash must be 32 bytes')
    for (const segment of this.manifest.segments) {
      const found = (await loadIndex(this.directory, segment)).findTx(txHash)
      if (found === undefined) continue
      const archived = await this.read(segment, found.height)
      if (!bytesEqual(archived.block.txs[found.index]?.hash ?? new Uint8Array(0), txHash)) {
        throw corrupt(`index places tx at ${found.height}/${found.index}, which holds another tx`, segmentPath(this.directory, segment, 'idx'))
      }
      return {...archived, index: found.index}
    }
    return undefined
  }

  /** Check one segment's files against the manifest (sizes and SM3 digests). */
  async verify(segment: SegmentInfo): Promise<void> {
    await loadIndex(this.directory, segment)
    await readSegmentFile(this.directory, segment)
  }

  private async read(segment: SegmentInfo, height: number): Promise<ArchivedBlock> {
    const path = segmentPath(this.directory, segment, 'seg')
    const entry = (await loadIndex(this.directory, segment)).entry(height)
    const content = await readSegmentFile(this.directory, segment)
    const block = decodeStoredBlock(await blobOf(content, entry, 'block', path), height, path)
    if (!bytesEqual(block.hash, entry.hash)) throw corrupt(`block ${height} does not hash to the hash its index recorded`, path)
    const receipts = decodeStoredReceipts(await blobOf(content, entry, 'receipts', path), block.header, path)
    return {block, receipts, segment: segmentName(segment.from, segment.to)}
  }
}
