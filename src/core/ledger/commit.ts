/**
 * What one block commit writes, and the preconditions checked before anything is written.
 * A commit that fails a check writes nothing; one that passes becomes one atomic batch, so after
 * a crash the ledger is at height h or h+1, never between. The only committer is the chain's
 * driver, which validated and executed the block: a commit out of place or inconsistent with
 * itself (height, prevHash, receipts, certificate, state root) is a bug in it, so those checks are
 * assertions (assert.ts; the chain halts on them with an INTERNAL fault).
 */
import {bytesEqual, toHex} from '../bytes.js'
import {AssertionError} from '../assert.js'
import {WichainError} from '../errors.js'
import {BLOCK_LIMITS, checkBlockBody, encodeBlock, hashHeader, receiptRootOf, type Block, type BlockHeader} from '../types/block.js'
import {encodeCertificate, type CommitCertificate} from '../types/certificate.js'
import type {Receipt} from '../types/receipt.js'
import {
  blockHashKey, blockKey, certificateKey, encodeHead, encodeHeight, encodeTxLocation, headKey, metaKey, receiptsKey,
  stateKeyOf, txLocationKey,
} from './keys.js'
import {checkMetaWrite, type MetaWrite} from './meta.js'
import {encodeReceipts} from './records.js'
import type {BatchOperation} from './store.js'
import {nextStateRoot, sortedStateWrites, type StateWrite} from './state.js'

export interface BlockCommit {
  readonly block: Block
  readonly receipts: readonly Receipt[]
  /** null only for the genesis block (height 0). */
  readonly certificate: CommitCertificate | null
  /** Net state writes of the block; the header's stateRoot must commit to them (height > 0). */
  readonly stateWrites: readonly StateWrite[]
  /** Metadata written in the same batch (e.g. consensus state that must move with the block). */
  readonly meta?: readonly MetaWrite[]
}

/** The committed tip the ledger keeps in memory. */
export interface HeadState {
  readonly height: number
  readonly hash: Uint8Array
  readonly header: BlockHeader
}

export const COMMIT_META_WRITES_MAX = 16
const ZERO_HASH = new Uint8Array(32)

function refuse(message: string, details: Record<string, unknown>): never {
  throw new AssertionError(`cannot commit block: ${message} (${JSON.stringify(details)})`)
}

function checkPlacement(head: HeadState | undefined, block: Block): void {
  const header = block.header
  const expectedHeight = head === undefined ? 0 : head.height + 1
  if (header.height !== expectedHeight) refuse(`height ${header.height}, expected ${expectedHeight}`, {height: header.height, expectedHeight})
  const expectedPrevHash = head === undefined ? ZERO_HASH : head.hash
  if (!bytesEqual(header.prevHash, expectedPrevHash)) {
    refuse(`prevHash ${toHex(header.prevHash)} is not the head hash ${toHex(expectedPrevHash)}`, {height: header.height})
  }
  if (head !== undefined && header.chainId !== head.header.chainId) {
    refuse(`block is for chain "${header.chainId}", ledger holds "${head.header.chainId}"`, {height: header.height})
  }
}

function checkBlockItself(block: Block): Uint8Array {
  if (!bytesEqual(hashHeader(block.header), block.hash)) refuse('block hash does not match its header', {height: block.header.height})
  checkBlockBody(block.header, block.txs)
  const seen = new Set<string>()
  for (const tx of block.txs) {
    if (seen.has(tx.hashHex)) throw new WichainError('DUPLICATE_TX', `tx ${tx.hashHex} appears twice in block ${block.header.height}`)
    seen.add(tx.hashHex)
  }
  const bytes = encodeBlock(block)
  if (bytes.length > BLOCK_LIMITS.bytesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `block ${block.header.height} is ${bytes.length} bytes; limit ${BLOCK_LIMITS.bytesMax}`)
  }
  return bytes
}

function checkReceipts(block: Block, receipts: readonly Receipt[]): void {
  const height = block.header.height
  if (receipts.length !== block.txs.length) refuse(`${receipts.length} receipts for ${block.txs.length} txs`, {height})
  receipts.forEach((receipt, index) => {
    if (!bytesEqual(receipt.txHash, block.txs[index]!.hash)) refuse(`receipt ${index} is not for tx ${index}`, {height, index})
  })
  if (!bytesEqual(receiptRootOf(receipts), block.header.receiptRoot)) refuse('receipts do not match the receiptRoot', {height})
}

function checkCertificate(block: Block, certificate: CommitCertificate | null): void {
  const height = block.header.height
  if (certificate === null) {
    if (height !== 0) refuse('a commit certificate is required above genesis', {height})
    return
  }
  if (certificate.height !== height || !bytesEqual(certificate.blockHash, block.hash)) {
    refuse(`certificate is for height ${certificate.height} hash ${toHex(certificate.blockHash)}`, {height})
  }
}

export interface CheckedCommit {
  readonly blockBytes: Uint8Array
  readonly stateWrites: readonly StateWrite[]
}

/** Every synchronous precondition of a commit; throws (an AssertionError or a WichainError) and writes nothing. */
export function checkCommit(head: HeadState | undefined, commit: BlockCommit): CheckedCommit {
  const {block} = commit
  checkPlacement(head, block)
  const blockBytes = checkBlockItself(block)
  checkReceipts(block, commit.receipts)
  checkCertificate(block, commit.certificate)
  const stateWrites = sortedStateWrites(commit.stateWrites)
  if (head !== undefined && !bytesEqual(nextStateRoot(head.header.stateRoot, stateWrites), block.header.stateRoot)) {
    refuse('state writes do not match the stateRoot', {height: block.header.height})
  }
  const meta = commit.meta ?? []
  if (meta.length > COMMIT_META_WRITES_MAX) refuse(`${meta.length} meta writes; limit ${COMMIT_META_WRITES_MAX}`, {height: block.header.height})
  meta.forEach(checkMetaWrite)
  return {blockBytes, stateWrites}
}

/** The one batch of a commit: block, indexes, receipts, certificate, state, meta, head pointer. */
export function commitOperations(commit: BlockCommit, checked: CheckedCommit): BatchOperation[] {
  const {block} = commit
  const height = block.header.height
  const operations: BatchOperation[] = [
    {type: 'put', key: blockKey(height), value: checked.blockBytes},
    {type: 'put', key: blockHashKey(block.hash), value: encodeHeight(height)},
    {type: 'put', key: receiptsKey(height), value: encodeReceipts(commit.receipts)},
  ]
  block.txs.forEach((tx, index) => operations.push({type: 'put', key: txLocationKey(tx.hash), value: encodeTxLocation({height, index})}))
  if (commit.certificate !== null) operations.push({type: 'put', key: certificateKey(height), value: encodeCertificate(commit.certificate)})
  for (const write of checked.stateWrites) {
    operations.push(write.value === null ? {type: 'del', key: stateKeyOf(write.key)} : {type: 'put', key: stateKeyOf(write.key), value: write.value})
  }
  for (const entry of commit.meta ?? []) operations.push({type: 'put', key: metaKey(entry.name), value: entry.value})
  operations.push({type: 'put', key: headKey(), value: encodeHead({height, hash: block.hash})})
  return operations
}
