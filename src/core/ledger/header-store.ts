/**
 * The store of a header-only node (spec §8.4.2 partial sync): one small LevelDB per chain with
 * block headers and their commit certificates — no tx bodies, receipts or state — plus the node
 * set that follows the head. It checks what it reads (height, hash index, certificate binding)
 * and writes each synced range as one atomic batch; verifying certificates is the caller's job
 * (node/header-chain.ts), this module only keeps what was verified.
 *
 *   0x00 'head'      → u64 BE height ‖ 32-byte block hash
 *   0x00 'members'   → the node set in force after the head (the caller's bytes)
 *   0x01 height(8)   → canonical {header: bytes, certificate: document | null}
 *   0x02 hash(32)    → u64 BE height
 */
import {decodeHead, decodeStoredHeight, encodeHead, encodeHeight} from './keys.js'
import {bytesEqual, concatBytes, toHex, utf8} from '../bytes.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readBytes as readField, readRecord} from '../codec/fields.js'
import {WichainError} from '../errors.js'
import {decodeHeader, encodeHeader, hashHeader, type BlockHeader} from '../types/block.js'
import {certificateFromDocument, certificateToDocument, type CommitCertificate} from '../types/certificate.js'
import {directoryBytes, openDatabase, readBytes, writeBatch, type BatchOperation, type Database} from './store.js'

export const HEADER_STORE_LIMITS = Object.freeze({appendHeadersMax: 4096})

export interface StoredHeader {
  readonly header: BlockHeader
  readonly hash: Uint8Array
  /** null only for the genesis block. */
  readonly certificate: CommitCertificate | null
}

const headKey = (): Uint8Array => concatBytes(new Uint8Array([0]), utf8('head'))
const membersKey = (): Uint8Array => concatBytes(new Uint8Array([0]), utf8('members'))
const headerKey = (height: number): Uint8Array => concatBytes(new Uint8Array([1]), encodeHeight(height))
const hashKey = (hash: Uint8Array): Uint8Array => concatBytes(new Uint8Array([2]), hash)

function corrupt(message: string): WichainError {
  return new WichainError('CORRUPT_DATA', `header store: ${message}`)
}

export class HeaderStore {
  private headState: {height: number; hash: Uint8Array} | undefined
  private writing: Promise<void> = Promise.resolve()

  private constructor(
    readonly directory: string,
    private readonly database: Database,
  ) {}

  /** Open (creating if missing); an empty store is started with `genesis` (height 0). */
  static async open(directory: string, genesis: BlockHeader): Promise<HeaderStore> {
    const store = new HeaderStore(directory, await openDatabase(directory))
    try {
      await store.initialise(genesis)
      return store
    } catch (error) {
      await store.database.close()
      throw error
    }
  }

  private async initialise(genesis: BlockHeader): Promise<void> {
    const head = await readBytes(this.database, headKey())
    if (head === undefined) {
      await writeBatch(this.database, this.appendOperations(0, [{header: genesis, hash: hashHeader(genesis), certificate: null}]), true)
      this.headState = {height: 0, hash: hashHeader(genesis)}
      return
    }
    this.headState = decodeHead(head)
    const stored = await this.get(0)
    if (stored === undefined || !bytesEqual(stored.hash, hashHeader(genesis))) throw new WichainError('CORRUPT_DATA', `header store ${this.directory} belongs to another genesis`)
    const top = await this.get(this.headState.height)
    if (top === undefined || !bytesEqual(top.hash, this.headState.hash)) throw corrupt(`head ${this.headState.height} does not match its stored header`)
  }

  head(): {readonly height: number; readonly hash: Uint8Array} {
    return this.headState!
  }

  async get(height: number): Promise<StoredHeader | undefined> {
    if (!Number.isSafeInteger(height) || height < 0) throw new WichainError('INVALID_ARGUMENT', `height ${height} is not a non-negative integer`)
    if (height > this.head().height) return undefined
    const bytes = await readBytes(this.database, headerKey(height))
    if (bytes === undefined) throw corrupt(`header ${height} is missing`)
    const fields = readRecord(decodeCanonical(bytes, 'stored header'), 'stored header', ['header', 'certificate'])
    const header = decodeHeader(readField(fields.header, 'stored header bytes'))
    const hash = hashHeader(header)
    const certificate = fields.certificate === null ? null : certificateFromDocument(fields.certificate)
    if (header.height !== height) throw corrupt(`header stored at ${height} is for height ${header.height}`)
    if ((certificate === null) !== (height === 0)) throw corrupt(`certificate of height ${height} is ${certificate === null ? 'missing' : 'unexpected'}`)
    if (certificate !== null && (certificate.height !== height || !bytesEqual(certificate.blockHash, hash))) throw corrupt(`certificate stored at ${height} is for another block`)
    return {header, hash, certificate}
  }

  async heightOf(hash: Uint8Array): Promise<number | undefined> {
    const bytes = await readBytes(this.database, hashKey(hash))
    return bytes === undefined ? undefined : decodeStoredHeight(bytes, 'header store hash index')
  }

  /** The node set stored with the head (the caller's bytes), or undefined before any was. */
  membersBytes(): Promise<Uint8Array | undefined> {
    return readBytes(this.database, membersKey())
  }

  /**
   * Append verified headers above the head, and the member list in force after the last of them,
   * as one atomic batch. Heights must follow the head and each header must link to the previous.
   */
  append(entries: readonly StoredHeader[], membersBytes: Uint8Array): Promise<void> {
    const run = this.writing.then(async () => {
      if (entries.length === 0) return
      if (entries.length > HEADER_STORE_LIMITS.appendHeadersMax) throw new WichainError('PAYLOAD_TOO_LARGE', `at most ${HEADER_STORE_LIMITS.appendHeadersMax} headers per append`)
      const head = this.head()
      let previous = head.hash
      entries.forEach((entry, index) => {
        if (entry.header.height !== head.height + 1 + index) throw new WichainError('INVALID_ARGUMENT', `header ${entry.header.height} does not follow height ${head.height + index}`)
        if (!bytesEqual(entry.header.prevHash, previous)) throw new WichainError('INVALID_ARGUMENT', `header ${entry.header.height} does not link to its parent`)
        previous = entry.hash
      })
      const operations = [...this.appendOperations(head.height + 1, entries), {type: 'put' as const, key: membersKey(), value: membersBytes}]
      await writeBatch(this.database, operations, true)
      this.headState = {height: head.height + entries.length, hash: previous}
    })
    this.writing = run.catch(() => undefined)
    return run
  }

  private appendOperations(fromHeight: number, entries: readonly StoredHeader[]): BatchOperation[] {
    const operations: BatchOperation[] = []
    entries.forEach((entry, index) => {
      const height = fromHeight + index
      if (!bytesEqual(hashHeader(entry.header), entry.hash)) throw new WichainError('INVALID_ARGUMENT', `header ${height}: hash ${toHex(entry.hash)} is not its hash`)
      const record = {header: encodeHeader(entry.header), certificate: entry.certificate === null ? null : certificateToDocument(entry.certificate)}
      operations.push({type: 'put', key: headerKey(height), value: encodeCanonical(record)}, {type: 'put', key: hashKey(entry.hash), value: encodeHeight(height)})
    })
    const last = entries.at(-1)!
    operations.push({type: 'put', key: headKey(), value: encodeHead({height: fromHeight + entries.length - 1, hash: last.hash})})
    return operations
  }

  diskBytes(): number | undefined {
    return directoryBytes(this.directory)
  }

  async close(): Promise<void> {
    await this.writing
    await this.database.close()
  }
}
