/**
 * The ledger of one chain on one node (spec §8.4.2): blocks, tx index, receipts, commit
 * certificates, contract state and metadata in one LevelDB (key layout in keys.ts).
 *
 * - Every block is written by `commitBlock` as ONE atomic batch (fsync'd by default), after its
 *   preconditions pass; after a crash the ledger is at height h or h+1, never between.
 * - Everything read back is decoded strictly and checked (height, txRoot, block hash through the
 *   hash index, receiptRoot, certificate height/hash) before it is returned; a mismatch is
 *   CORRUPT_DATA. The head is verified on open.
 * - `getState` is synchronous (classic-level `getSync`): contract execution reads state inline.
 *   State values are opaque bytes; they are covered only by the stateRoot hash chain (state.ts).
 * - Writes (commits, meta) run one at a time in call order; reads run concurrently with them.
 * - Old bodies and receipts may be archived into segment files (archive-ops.ts; spec §8.4.6):
 *   below the archived mark, block and receipt reads come from the segments, checked exactly as
 *   strictly (block hash through the hash index, receipts against the receiptRoot); headers,
 *   certificates and the tx index stay live. Archive and restore run one at a time.
 */
import {bytesEqual, toHex} from '../bytes.js'
import {LruMap} from '../crypto/lru.js'
import {LEDGER_BLOCK_CACHE_ENTRIES, LEDGER_WRITES_QUEUED_MAX} from '../limits.js'
import {WichainError} from '../errors.js'
import {nullLogger, type Logger} from '../log.js'
import {hashHeader, type Block} from '../types/block.js'
import type {CommitCertificate} from '../types/certificate.js'
import type {Receipt} from '../types/receipt.js'
import {segmentToJson} from './archive-format.js'
import {archiveBelow, restoreArchived, type ArchiveAccess, type ArchiveOptions, type ArchiveStepResult} from './archive-ops.js'
import {ARCHIVE_META, ArchiveStore, defaultArchiveDirectory} from './archive-store.js'
import {checkCommit, commitOperations, type BlockCommit, type HeadState} from './commit.js'
import {loadHead} from './head.js'
import type {LedgerOptions, StateEntry, StoredTx, VerifiedHeader} from './interface.js'
import {checkIntegrity, type IntegrityReport} from './integrity.js'
import {
  blockHashKey, blockKey, certificateKey, decodeStoredHeight, decodeTxLocation, familyRange, headerKey, metaKey, receiptsKey,
  stateKeyFromStored, stateKeyOf, txLocationKey, type TxLocation,
} from './keys.js'
import {checkMetaName, checkMetaWrite} from './meta.js'
import {corrupt, decodeStoredBlock, decodeStoredCertificate, decodeStoredHeader, decodeStoredReceipts, type RecordSource} from './records.js'
import {checkStateKey, STATE_LIMITS} from './state.js'
import {directoryBytes, openDatabase, readBytes, readBytesSync, readMany, readRange, writeBatch, type Database} from './store.js'
import {WriteQueue} from './write-queue.js'

export const LEDGER_LIMITS = Object.freeze({headerCacheEntries: 4096, queuedWritesMax: LEDGER_WRITES_QUEUED_MAX, stateScanEntriesMax: 10_000})

export class Ledger {
  private headState: HeadState | undefined
  /** Height of the batch being written: its entries may be visible before `headState` moves. */
  private pendingHeight: number | undefined
  private readonly headers = new LruMap<number, VerifiedHeader>(LEDGER_LIMITS.headerCacheEntries)
  /**
   * Recently read blocks and receipts, decoded and checked: reads of many txs of one block (tx
   * get, proofs, sync answers) decode it once. Committed blocks never change, so no invalidation.
   */
  private readonly blocks = new LruMap<number, Block>(LEDGER_BLOCK_CACHE_ENTRIES)
  private readonly receipts = new LruMap<number, Receipt[]>(LEDGER_BLOCK_CACHE_ENTRIES)
  private readonly writes = new WriteQueue(LEDGER_LIMITS.queuedWritesMax)
  private closing: Promise<void> | undefined
  /** Opened on open when the ledger has blocks, else by the first archive operation. */
  private archiveStore: ArchiveStore | undefined
  /** Archive and restore operations, one at a time. */
  private maintenance: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly directory: string,
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly syncWrites: boolean,
    /** Where this ledger's archive segments live. */
    readonly archiveDirectory: string,
  ) {}

  /**
   * Open (creating if missing) and verify the head; reconcile the archive directory with the
   * archive record. NODE_RUNNING when another process holds the store.
   */
  static async open(directory: string, options: LedgerOptions = {}): Promise<Ledger> {
    const logger = options.logger ?? nullLogger
    const database = await (options.openDatabase ?? openDatabase)(directory)
    try {
      const ledger = new Ledger(directory, database, logger, options.syncWrites ?? true, options.archiveDirectory ?? defaultArchiveDirectory(directory))
      ledger.headState = await loadHead(database, directory)
      if (ledger.headState !== undefined) ledger.archiveStore = await ledger.openArchiveStore(ledger.headState.header.chainId)
      logger.info('ledger opened', {directory, height: ledger.headState?.height, archivedBelow: ledger.archiveStore?.below})
      return ledger
    } catch (error) {
      await database.close()
      throw error
    }
  }

  head(): {readonly height: number; readonly hash: Uint8Array} | undefined {
    const head = this.headState
    return head === undefined ? undefined : {height: head.height, hash: head.hash}
  }

  /** Write one block and everything it brings as one atomic batch; nothing on a failed check. */
  async commitBlock(commit: BlockCommit): Promise<void> {
    return this.serializeWrite(async () => {
      const checked = checkCommit(this.headState, commit)
      await this.refuseKnownTxs(commit.block)
      const {block} = commit
      this.pendingHeight = block.header.height
      try {
        await writeBatch(this.database, commitOperations(commit, checked), this.syncWrites)
      } catch (error) {
        this.writes.fail(error as Error)
        throw error
      } finally {
        this.pendingHeight = undefined
      }
      this.headState = Object.freeze({height: block.header.height, hash: block.hash, header: block.header})
      this.headers.set(block.header.height, {header: block.header, hash: block.hash})
    })
  }

  private async refuseKnownTxs(block: Block): Promise<void> {
    if (block.txs.length === 0) return
    const found = await readMany(this.database, block.txs.map((tx) => txLocationKey(tx.hash)))
    const index = found.findIndex((value) => value !== undefined)
    if (index >= 0) throw new WichainError('DUPLICATE_TX', `tx ${block.txs[index]!.hashHex} is already committed`)
  }

  private async serializeWrite<T>(task: () => Promise<T>): Promise<T> {
    this.checkOpen()
    return this.writes.run(task)
  }

  private checkOpen(): void {
    if (this.closing !== undefined) throw new WichainError('UNAVAILABLE', `ledger ${this.directory} is closed`)
  }

  private checkHeight(height: number): void {
    this.checkOpen()
    if (!Number.isSafeInteger(height) || height < 0) throw new WichainError('INVALID_ARGUMENT', `height ${height} is not a non-negative integer`)
  }

  private checkHash(hash: Uint8Array, what: string): void {
    if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new WichainError('INVALID_ARGUMENT', `${what} must be 32 bytes`)
  }

  private isCommitted(height: number): boolean {
    return this.headState !== undefined && height <= this.headState.height
  }

  /** An index entry above the head is corruption, except for the batch being written now. */
  private checkIndexedHeight(height: number, key: Uint8Array): boolean {
    if (this.isCommitted(height)) return true
    if (height === this.pendingHeight) return false
    throw corrupt(`index points to height ${height}, above the head ${this.headState?.height ?? 'none'}`, key)
  }

  private async readRequired(key: Uint8Array, what: string): Promise<Uint8Array> {
    const bytes = await readBytes(this.database, key)
    if (bytes === undefined) throw corrupt(`${what} is missing`, key)
    return bytes
  }

  /** A non-head block must be the one the hash index names for its height. */
  private async checkHashIndexed(hash: Uint8Array, height: number, source: RecordSource): Promise<void> {
    const indexed = await readBytes(this.database, blockHashKey(hash))
    if (indexed === undefined || decodeStoredHeight(indexed, 'block hash index') !== height) {
      throw corrupt(`block ${height} hashes to ${toHex(hash)}, which is not the hash committed at that height`, source)
    }
  }

  private archiveGeneration(): number {
    return this.archiveStore?.generation ?? -1
  }

  /**
   * Read a body from the live store or the archive, whichever holds `height` now. An archive or
   * restore step may move it between the two mid-read; then the read is retried once on the
   * other side (a failure without such a move is reported as it is).
   */
  private async bodyRead<T>(height: number, live: () => Promise<T>, archived: (store: ArchiveStore) => Promise<T>): Promise<T> {
    const read = () => {
      const store = this.archiveStore
      return store?.holds(height) === true ? archived(store) : live()
    }
    const generation = this.archiveGeneration()
    try {
      return await read()
    } catch (error) {
      if (this.archiveGeneration() === generation) throw error
      return read()
    }
  }

  private async readLiveBlock(height: number): Promise<{block: Block; bytes: Uint8Array}> {
    const key = blockKey(height)
    const bytes = await this.readRequired(key, `block ${height}`)
    const block = decodeStoredBlock(bytes, height, key)
    if (height === this.headState!.height) {
      if (!bytesEqual(block.hash, this.headState!.hash)) throw corrupt(`head block ${height} does not hash to the head hash`, key)
    } else {
      await this.checkHashIndexed(block.hash, height, key)
    }
    return {block, bytes}
  }

  private async checkArchivedBlock(height: number, bytes: Uint8Array, file: string): Promise<Block> {
    const block = decodeStoredBlock(bytes, height, file)
    await this.checkHashIndexed(block.hash, height, file)
    return block
  }

  async getBlock(height: number): Promise<Block | undefined> {
    this.checkHeight(height)
    if (!this.isCommitted(height)) return undefined
    const cached = this.blocks.get(height)
    if (cached !== undefined) return cached
    const block = await this.bodyRead(
      height,
      async () => (await this.readLiveBlock(height)).block,
      async (store) => {
        const {bytes, file} = await store.read(height, 'block')
        return this.checkArchivedBlock(height, bytes, file)
      },
    )
    this.headers.set(height, {header: block.header, hash: block.hash})
    this.blocks.set(height, block)
    return block
  }

  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    this.checkHash(hash, 'block hash')
    this.checkOpen()
    const key = blockHashKey(hash)
    const stored = await readBytes(this.database, key)
    if (stored === undefined) return undefined
    const height = decodeStoredHeight(stored, 'block hash index')
    if (!this.checkIndexedHeight(height, key)) return undefined
    const block = await this.getBlock(height)
    if (block === undefined || !bytesEqual(block.hash, hash)) throw corrupt(`hash index names height ${height}, whose block has another hash`, key)
    return block
  }

  /** The verified header and hash at `height` (cached; decodes the block on a miss). */
  async getHeader(height: number): Promise<VerifiedHeader | undefined> {
    this.checkHeight(height)
    if (!this.isCommitted(height)) return undefined
    const cached = this.headers.get(height) ?? (this.archiveStore?.holds(height) === true ? await this.readArchivedHeader(height) : undefined)
    if (cached !== undefined) return cached
    const block = await this.getBlock(height)
    return block === undefined ? undefined : {header: block.header, hash: block.hash}
  }

  /** The live header of an archived height; undefined while its archive batch has not landed. */
  private async readArchivedHeader(height: number): Promise<VerifiedHeader | undefined> {
    const key = headerKey(height)
    const bytes = await readBytes(this.database, key)
    if (bytes === undefined) return undefined
    const header = decodeStoredHeader(bytes, height, key)
    const verified = {header, hash: hashHeader(header)}
    await this.checkHashIndexed(verified.hash, height, key)
    this.headers.set(height, verified)
    return verified
  }

  async getReceipts(height: number): Promise<Receipt[] | undefined> {
    const cached = this.receipts.get(height)
    if (cached !== undefined) return cached
    const verified = await this.getHeader(height)
    if (verified === undefined) return undefined
    const receipts = await this.bodyRead(
      height,
      async () => {
        const key = receiptsKey(height)
        return decodeStoredReceipts(await this.readRequired(key, `receipts of block ${height}`), verified.header, key)
      },
      async (store) => {
        const {bytes, file} = await store.read(height, 'receipts')
        return decodeStoredReceipts(bytes, verified.header, file)
      },
    )
    if (receipts !== undefined) this.receipts.set(height, receipts)
    return receipts
  }

  /** The commit certificate; null for a genesis block (committed without one). */
  async getCertificate(height: number): Promise<CommitCertificate | null | undefined> {
    const verified = await this.getHeader(height)
    if (verified === undefined) return undefined
    const key = certificateKey(height)
    const bytes = await readBytes(this.database, key)
    if (bytes === undefined) {
      if (height === 0) return null
      throw corrupt(`certificate of block ${height} is missing`, key)
    }
    return decodeStoredCertificate(bytes, height, verified.hash, key)
  }

  /** Where a committed tx sits, from the index alone (use `getTx` for the checked record). */
  async getTxLocation(txHash: Uint8Array): Promise<TxLocation | undefined> {
    this.checkHash(txHash, 'tx hash')
    this.checkOpen()
    const key = txLocationKey(txHash)
    const stored = await readBytes(this.database, key)
    if (stored === undefined) return undefined
    const location = decodeTxLocation(stored, 'tx index')
    return this.checkIndexedHeight(location.height, key) ? location : undefined
  }

  async hasTx(txHash: Uint8Array): Promise<boolean> {
    return (await this.getTxLocation(txHash)) !== undefined
  }

  async getTx(txHash: Uint8Array): Promise<StoredTx | undefined> {
    const location = await this.getTxLocation(txHash)
    if (location === undefined) return undefined
    const {height, index} = location
    // Block first: it fills the header cache that getReceipts checks against.
    const block = await this.getBlock(height)
    const receipts = await this.getReceipts(height)
    const tx = block?.txs[index]
    const receipt = receipts?.[index]
    if (tx === undefined || receipt === undefined || !bytesEqual(tx.hash, txHash) || !bytesEqual(receipt.txHash, txHash)) {
      throw corrupt(`tx index names block ${height} index ${index}, which holds another tx`, txLocationKey(txHash))
    }
    return Object.freeze({tx, receipt, height, index, header: block!.header, blockHash: block!.hash})
  }

  /**
   * Whether a tx is committed, read synchronously from the index: validators check proposals for
   * replays inside the (synchronous) consensus validate callback.
   */
  hasTxSync(txHash: Uint8Array): boolean {
    this.checkHash(txHash, 'tx hash')
    this.checkOpen()
    const stored = readBytesSync(this.database, txLocationKey(txHash))
    if (stored === undefined) return false
    return this.checkIndexedHeight(decodeTxLocation(stored, 'tx index').height, txLocationKey(txHash))
  }

  /**
   * State, read synchronously (contract execution). It sees a block's writes as soon as its batch
   * lands, a moment before `head()` moves: callers run execution and commits on one queue.
   */
  getState(key: Uint8Array): Uint8Array | undefined {
    checkStateKey(key)
    this.checkOpen()
    return readBytesSync(this.database, stateKeyOf(key))
  }

  async getStateAsync(key: Uint8Array): Promise<Uint8Array | undefined> {
    checkStateKey(key)
    this.checkOpen()
    return readBytes(this.database, stateKeyOf(key))
  }

  /** State entries whose key starts with `prefix`, in key order, at most `limit` of them. */
  async *iterateState(prefix: Uint8Array, options: {limit?: number} = {}): AsyncGenerator<StateEntry> {
    if (!(prefix instanceof Uint8Array) || prefix.length > STATE_LIMITS.keyBytesMax) {
      throw new WichainError('INVALID_ARGUMENT', `state prefix must be at most ${STATE_LIMITS.keyBytesMax} bytes`)
    }
    const limit = options.limit ?? LEDGER_LIMITS.stateScanEntriesMax
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LEDGER_LIMITS.stateScanEntriesMax) {
      throw new WichainError('INVALID_ARGUMENT', `state scan limit must be 1..${LEDGER_LIMITS.stateScanEntriesMax}`)
    }
    this.checkOpen()
    for await (const [key, value] of readRange(this.database, familyRange('state', prefix), limit)) {
      yield Object.freeze({key: stateKeyFromStored(key), value})
    }
  }

  /** Write metadata outside block batches (fsync'd; ordered with commits). */
  async putMeta(name: string, value: Uint8Array): Promise<void> {
    checkMetaWrite({name, value})
    return this.serializeWrite(() => writeBatch(this.database, [{type: 'put', key: metaKey(name), value}], true))
  }

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    checkMetaName(name)
    this.checkOpen()
    return readBytes(this.database, metaKey(name))
  }

  /** Walk the whole ledger and check every link and index (maintenance; O(chain length)). Waits for writes. */
  async verifyIntegrity(): Promise<IntegrityReport> {
    return this.serializeWrite(() => checkIntegrity(this, this.database))
  }

  /** `diskBytes` counts the LevelDB directory only (archive segments are in `archiveDirectory`). */
  stats(): {height: number | undefined; diskBytes: number | undefined; archivedBelow: number} {
    return {height: this.headState?.height, diskBytes: directoryBytes(this.directory), archivedBelow: this.archiveStore?.below ?? 0}
  }

  private async openArchiveStore(chainId: string): Promise<ArchiveStore> {
    const key = metaKey(ARCHIVE_META)
    return ArchiveStore.open(this.archiveDirectory, chainId, await readBytes(this.database, key), key, this.logger)
  }

  /** Run archive maintenance one operation at a time; close() waits for the running one. */
  private maintain<T>(task: () => Promise<T>): Promise<T> {
    this.checkOpen()
    const run = this.maintenance.then(task)
    this.maintenance = run.catch(() => undefined)
    return run
  }

  private archiveAccess(): ArchiveAccess {
    return {
      database: this.database,
      store: async () => {
        const head = this.headState
        if (head === undefined) throw new WichainError('NOT_FOUND', 'the ledger is empty: nothing is archived')
        this.archiveStore ??= await this.openArchiveStore(head.header.chainId)
        return this.archiveStore
      },
      headHeight: () => this.headState?.height,
      readLive: async (height) => {
        const {block, bytes} = await this.readLiveBlock(height)
        const key = receiptsKey(height)
        const receiptsBytes = await this.readRequired(key, `receipts of block ${height}`)
        decodeStoredReceipts(receiptsBytes, block.header, key)
        return {block, blockBytes: bytes, receiptsBytes}
      },
      checkArchived: async (height, blockBytes, receiptsBytes, file) => {
        const block = await this.checkArchivedBlock(height, blockBytes, file)
        decodeStoredReceipts(receiptsBytes, block.header, file)
      },
      // Not serializeWrite: close() waits for maintenance, so its last batch may still land.
      write: (task) => this.writes.run(task),
      failWrites: (error) => this.writes.fail(error),
      closing: () => this.closing !== undefined,
    }
  }

  /**
   * Move the bodies and receipts of every height below `below` (at most the head height) into
   * archive segments, one crash-safe step per segment, then compact the freed key ranges.
   */
  archive(below: number, options: ArchiveOptions = {}): Promise<ArchiveStepResult & {diskBytesBefore: number | undefined; diskBytesAfter: number | undefined}> {
    return this.maintain(async () => {
      const diskBytesBefore = directoryBytes(this.directory)
      const result = await archiveBelow(this.archiveAccess(), below, options)
      return {...result, diskBytesBefore, diskBytesAfter: directoryBytes(this.directory)}
    })
  }

  /** Move archived heights back into the live store (newest segment first), verifying each. */
  restoreArchive(options: Omit<ArchiveOptions, 'segmentBlocksMax'> = {}): Promise<ArchiveStepResult> {
    return this.maintain(() => restoreArchived(this.archiveAccess(), options))
  }

  /** The archive as recorded: where it lives, the archived-below mark, the segments. */
  archiveStatus(): {directory: string; archivedBelow: number; segments: Record<string, unknown>[]} {
    this.checkOpen()
    const segments = this.archiveStore?.segments() ?? []
    return {directory: this.archiveDirectory, archivedBelow: this.archiveStore?.below ?? 0, segments: segments.map(segmentToJson)}
  }

  /** Finish the running archive step and queued writes, then close the database. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.maintenance.then(() => this.writes.drained()).then(async () => {
      await this.database.close()
      this.logger.info('ledger closed', {directory: this.directory, height: this.headState?.height})
    })
    return this.closing
  }
}
