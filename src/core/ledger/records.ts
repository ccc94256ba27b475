/**
 * Stored records and their checks on the way back from disk. Values are the canonical encodings
 * from src/core/types; every read decodes strictly and is checked against what it must match
 * (height in the key, the header's roots, the block hash). Any mismatch is CORRUPT_DATA naming
 * the height and key (or archive segment file), so an operator knows what to restore.
 */
import {bytesEqual, toHex} from '../bytes.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray} from '../codec/fields.js'
import {WichainError} from '../errors.js'
import {BLOCK_LIMITS, decodeBlock, decodeHeader, receiptRootOf, type Block, type BlockHeader} from '../types/block.js'
import {decodeCertificate, type CommitCertificate} from '../types/certificate.js'
import {receiptFromDocument, receiptToDocument, type Receipt} from '../types/receipt.js'

/** Where a record was read: a LevelDB key, or an archive segment file (a path). */
export type RecordSource = Uint8Array | string

export function corrupt(message: string, source: RecordSource, cause?: unknown): WichainError {
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  const [label, details] = typeof source === 'string' ? [`file ${source}`, {file: source}] : [`key ${toHex(source)}`, {key: toHex(source)}]
  return new WichainError('CORRUPT_DATA', `ledger: ${message}${reason} (${label})`, details, {cause})
}

/** Decode a stored value; any decode failure is corruption, not bad input. */
function decodeStored<T>(decode: () => T, what: string, key: RecordSource): T {
  try {
    return decode()
  } catch (error) {
    throw corrupt(`${what} does not decode`, key, error)
  }
}

/** Block bytes at `height`: decodes (which checks the txRoot) and checks the height. */
export function decodeStoredBlock(bytes: Uint8Array, height: number, key: RecordSource): Block {
  const block = decodeStored(() => decodeBlock(bytes), `block ${height}`, key)
  if (block.header.height !== height) throw corrupt(`block stored at height ${height} says height ${block.header.height}`, key)
  return block
}

/** The header kept live for an archived height (its hash is checked by the caller). */
export function decodeStoredHeader(bytes: Uint8Array, height: number, key: RecordSource): BlockHeader {
  const header = decodeStored(() => decodeHeader(bytes), `header ${height}`, key)
  if (header.height !== height) throw corrupt(`header stored at height ${height} says height ${header.height}`, key)
  return header
}

export function encodeReceipts(receipts: readonly Receipt[]): Uint8Array {
  return encodeCanonical(receipts.map(receiptToDocument))
}

/** Receipts of the block whose (verified) header is given: count and receiptRoot must match. */
export function decodeStoredReceipts(bytes: Uint8Array, header: BlockHeader, key: RecordSource): Receipt[] {
  const receipts = decodeStored(
    () => readArray(decodeCanonical(bytes, 'receipts'), 'receipts', BLOCK_LIMITS.txsMax).map(receiptFromDocument),
    `receipts of block ${header.height}`,
    key,
  )
  if (receipts.length !== header.txCount) {
    throw corrupt(`block ${header.height} has ${header.txCount} txs but ${receipts.length} stored receipts`, key)
  }
  if (!bytesEqual(receiptRootOf(receipts), header.receiptRoot)) {
    throw corrupt(`receipts of block ${header.height} do not match its receiptRoot`, key)
  }
  return receipts
}

export function decodeStoredCertificate(bytes: Uint8Array, height: number, blockHash: Uint8Array, key: Uint8Array): CommitCertificate {
  const certificate = decodeStored(() => decodeCertificate(bytes), `certificate of block ${height}`, key)
  if (certificate.height !== height || !bytesEqual(certificate.blockHash, blockHash)) {
    throw corrupt(`certificate stored for block ${height} is for another block`, key)
  }
  return certificate
}
