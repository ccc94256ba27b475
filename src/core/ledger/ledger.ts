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
 */
import {bytesEqual} from '../bytes.js'
import {LruMap} from '../crypto/lru.js'
import {WichainError} from '../errors.js'
import {nullLogger, type Logger} from '../log.js'
import type {Block} from '../types/block.js'
import type {CommitCertificate} from '../types/certificate.js'
import type {Receipt} from '../types/receipt.js'
import {checkCommit, commitOperations, type BlockCommit, type HeadState} from './commit.js'
import {loadHead} from './head.js'
import type {LedgerOptions, StateEntry, StoredTx, VerifiedHeader} from './interface.js'
import {checkIntegrity, type IntegrityReport} from './integrity.js'
import {
  blockHashKey, blockKey, certificateKey, decodeStoredHeight, decodeTxLocation, familyRange, metaKey, receiptsKey,
  stateKeyFromStored, stateKeyOf, txLocationKey, type TxLocation,
} from './keys.js'
import {checkMetaName, checkMetaWrite} from './meta.js'
import {corrupt, decodeStoredBlock, decodeStoredCertificate, decodeStoredReceipts} from './records.js'
import {checkStateKey, STATE_LIMITS} from './state.js'
import {directoryBytes, openDatabase, readBytes, readBytesSync, readMany, readRange, writeBatch, type Database} from './store.js'
import {WriteQueue} from './write-queue.js'

export const LEDGER_LIMITS = Object.freeze({headerCacheEntries: 4096, queuedWritesMax: 1024, stateScanEntriesMax: 10_000})

export class Ledger {
  private headState: HeadState | undefined
  /** Height of the batch being written: its entries may be visible before `headState` moves. */
  private pendingHeight: number | undefined
  private readonly headers = new LruMap<number, VerifiedHeader>(LEDGER_LIMITS.headerCacheEntries)
  private readonly writes = new WriteQueue(LEDGER_LIMITS.queuedWritesMax)
  private closing: Promise<void> | undefined

  private constructor(
    readonly directory: string,
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly syncWrites: boolean,
  ) {}

  /** Open (creating if missing) and verify the head. NODE_RUNNING when another process holds it. */
  static async open(directory: string, options: LedgerOptions = {}): Promise<Ledger> {
    const logger = options.logger ?? nullLogger
    const database = await openDatabase(directory)
    try {
      const ledger = new Ledger(directory, database, logger, options.syncWrites ?? true)
      ledger.headState = await loadHead(database, directory)
      logger.info('ledger opened', {directory, height: ledger.headState?.height})
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
    this.checkOpen()
    const bytes = await readBytes(this.database, key)
    if (bytes === undefined) throw corrupt(`${what} is missing`, key)
    return bytes
  }

  async getBlock(height: number): Promise<Block | undefined> {
    this.checkHeight(height)
    if (!this.isCommitted(height)) return undefined
    const key = blockKey(height)
    const block = decodeStoredBlock(await this.readRequired(key, `block ${height}`), height, key)
    if (height === this.headState!.height) {
      if (!bytesEqual(block.hash, this.headState!.hash)) throw corrupt(`head block ${height} does not hash to the head hash`, key)
    } else {
      const indexed = await readBytes(this.database, blockHashKey(block.hash))
      if (indexed === undefined || decodeStoredHeight(indexed, 'block hash index') !== height) {
        throw corrupt(`block ${height} hashes to ${block.hashHex}, which is not the hash committed at that height`, key)
      }
    }
    this.headers.set(height, {header: block.header, hash: block.hash})
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
    const cached = this.headers.get(height)
    if (cached !== undefined) return cached
    const block = await this.getBlock(height)
    return block === undefined ? undefined : {header: block.header, hash: block.hash}
  }

  async getReceipts(height: number): Promise<Receipt[] | undefined> {
    const verified = await this.getHeader(height)
    if (verified === undefined) return undefined
    const key = receiptsKey(height)
    return decodeStoredReceipts(await this.readRequired(key, `receipts of block ${height}`), verified.header, key)
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

  stats(): {height: number | undefined; diskBytes: number | undefined} {
    return {height: this.headState?.height, diskBytes: directoryBytes(this.directory)}
  }

  /** Finish queued writes, then close the database. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.writes.drained().then(async () => {
      await this.database.close()
      this.logger.info('ledger closed', {directory: this.directory, height: this.headState?.height})
    })
    return this.closing
  }
}
