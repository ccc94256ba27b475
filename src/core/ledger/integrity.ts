/**
 * A full walk of one ledger, for operators (after a restore, a crash or a disk scare): every
 * block 0..head decodes, sits at its height, chains to its parent by prevHash, has receipts
 * matching its receiptRoot and a certificate for its hash; every tx is indexed at its position;
 * and no block or tx index entry exists above the head. O(chain length); never run on a hot path.
 */
import {bytesEqual, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {blockKey, decodeTxLocation, familyRange, heightFromBlockKey, txHashFromLocationKey} from './keys.js'
import type {Ledger} from './ledger.js'
import {corrupt} from './records.js'
import {readKeys, readRange, type Database} from './store.js'

export interface IntegrityReport {
  readonly height: number | undefined
  readonly blocks: number
  readonly txs: number
}

const ZERO_HASH = new Uint8Array(32)

function missing(what: string, height: number): WichainError {
  return corrupt(`${what} of block ${height} is missing`, blockKey(height))
}

async function checkBlock(ledger: Ledger, height: number, previousHash: Uint8Array): Promise<{hash: Uint8Array; txs: number}> {
  const block = await ledger.getBlock(height)
  if (block === undefined) throw missing('body', height)
  if (!bytesEqual(block.header.prevHash, previousHash)) throw corrupt(`block ${height} does not chain to block ${height - 1}`, blockKey(height))
  const receipts = await ledger.getReceipts(height)
  if (receipts === undefined) throw missing('receipts', height)
  const certificate = await ledger.getCertificate(height)
  if (certificate === undefined || (certificate === null && height > 0)) throw missing('certificate', height)
  for (const [index, tx] of block.txs.entries()) {
    if (!bytesEqual(receipts[index]!.txHash, tx.hash)) throw corrupt(`receipt ${index} of block ${height} is for another tx`, blockKey(height))
    const location = await ledger.getTxLocation(tx.hash)
    if (location === undefined || location.height !== height || location.index !== index) {
      throw corrupt(`tx ${tx.hashHex} of block ${height} is not indexed at ${height}/${index}`, blockKey(height))
    }
  }
  return {hash: block.hash, txs: block.txs.length}
}

/** Counts tx index entries; each must point at or below the head. */
async function countIndexedTxs(database: Database, headHeight: number | undefined): Promise<number> {
  let count = 0
  for await (const [key, value] of readRange(database, familyRange('txLocation'), Infinity)) {
    const location = decodeTxLocation(value, `tx index ${toHex(txHashFromLocationKey(key))}`)
    if (headHeight === undefined || location.height > headHeight) throw corrupt(`tx index points to height ${location.height}, above the head`, key)
    count++
  }
  return count
}

async function checkNothingAbove(database: Database, headHeight: number | undefined): Promise<void> {
  const range = familyRange('block')
  const gte = headHeight === undefined ? range.gte : blockKey(headHeight + 1)
  for await (const key of readKeys(database, {gte, lt: range.lt}, 1)) {
    throw corrupt(`block ${heightFromBlockKey(key)} is stored above the head`, key)
  }
}

export async function checkIntegrity(ledger: Ledger, database: Database): Promise<IntegrityReport> {
  const head = ledger.head()
  await checkNothingAbove(database, head?.height)
  let txs = 0
  let previousHash: Uint8Array = ZERO_HASH
  for (let height = 0; head !== undefined && height <= head.height; height++) {
    const checked = await checkBlock(ledger, height, previousHash)
    previousHash = checked.hash
    txs += checked.txs
  }
  if (head !== undefined && !bytesEqual(previousHash, head.hash)) throw corrupt('the chain does not end at the head hash', blockKey(head.height))
  const indexed = await countIndexedTxs(database, head?.height)
  if (indexed !== txs) {
    throw new WichainError('CORRUPT_DATA', `ledger: ${indexed} tx index entries for ${txs} committed txs`, {indexed, txs})
  }
  return Object.freeze({height: head?.height, blocks: head === undefined ? 0 : head.height + 1, txs})
}
