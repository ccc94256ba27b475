/** Shapes the ledger hands out and takes in (besides BlockCommit, in commit.ts). */
import type {Logger} from '../log.js'
import type {Database} from './store.js'
import type {BlockHeader} from '../types/block.js'
import type {Receipt} from '../types/receipt.js'
import type {Tx} from '../types/tx.js'

export interface LedgerOptions {
  readonly logger?: Logger
  /** fsync each block batch (default true): survives power loss, not only a killed process. */
  readonly syncWrites?: boolean
  /** Directory of the archive segments (default: see defaultArchiveDirectory in archive-store.ts). */
  readonly archiveDirectory?: string
  /** Opens the store (default: LevelDB in `directory`, store.ts openDatabase); the simulator passes an in-memory one. */
  readonly openDatabase?: (directory: string) => Promise<Database>
}

export interface VerifiedHeader {
  readonly header: BlockHeader
  readonly hash: Uint8Array
}

export interface StoredTx {
  readonly tx: Tx
  readonly receipt: Receipt
  readonly height: number
  readonly index: number
  readonly header: BlockHeader
  readonly blockHash: Uint8Array
}

export interface StateEntry {
  readonly key: Uint8Array
  readonly value: Uint8Array
}
