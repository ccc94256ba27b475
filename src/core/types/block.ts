/**
 * Blocks. The header commits to the txs (txRoot), their receipts (receiptRoot) and the state
 * after execution (stateRoot); its hash is SM3 of the canonical header bytes and chains blocks
 * through prevHash. Height 0 is the genesis block (no txs; its header hashes the genesis config).
 */
import {BLOCK_BYTES_MAX, BLOCK_TX_BYTES_MAX, BLOCK_TXS_MAX} from '../limits.js'
import {bytesEqual, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readRecord, readString, readUint} from '../codec/fields.js'
import {sm3} from '../crypto/sm3.js'
import {merkleRoot} from './merkle.js'
import {encodeReceipt, type Receipt} from './receipt.js'
import {txFromDocument, txToDocument, type Tx} from './tx.js'

/** limits.ts: a block must fit a one-item sync answer, so its bytes derive from the frame. */
export const BLOCK_LIMITS = Object.freeze({txsMax: BLOCK_TXS_MAX, bytesMax: BLOCK_BYTES_MAX, txBytesMax: BLOCK_TX_BYTES_MAX})

export interface BlockHeader {
  readonly chainId: string
  readonly height: number
  readonly prevHash: Uint8Array
  readonly txRoot: Uint8Array
  readonly receiptRoot: Uint8Array
  readonly stateRoot: Uint8Array
  /** Proposer's clock in ms; deterministic input to contracts (block time). */
  readonly timestamp: number
  /** 65-byte SM2 public key of the proposing node (empty for genesis). */
  readonly proposer: Uint8Array
  /** Consensus round data: PBFT view or Raft term; 0 for solo. */
  readonly round: number
  readonly txCount: number
}

export interface Block {
  readonly header: BlockHeader
  readonly hash: Uint8Array
  readonly hashHex: string
  readonly txs: readonly Tx[]
}

const HEADER_KEYS = ['chainId', 'height', 'prevHash', 'txRoot', 'receiptRoot', 'stateRoot', 'timestamp', 'proposer', 'round', 'txCount'] as const

export function headerDocument(header: BlockHeader): Record<string, unknown> {
  return Object.fromEntries(HEADER_KEYS.map((key) => [key, header[key]]))
}

export function encodeHeader(header: BlockHeader): Uint8Array {
  return encodeCanonical(headerDocument(header))
}

export function hashHeader(header: BlockHeader): Uint8Array {
  return sm3(encodeHeader(header))
}

export function headerFromDocument(document: unknown): BlockHeader {
  const fields = readRecord(document, 'block header', HEADER_KEYS)
  return Object.freeze({
    chainId: readString(fields.chainId, 'header.chainId', 64),
    height: readUint(fields.height, 'header.height'),
    prevHash: readBytes(fields.prevHash, 'header.prevHash', {exact: 32}),
    txRoot: readBytes(fields.txRoot, 'header.txRoot', {exact: 32}),
    receiptRoot: readBytes(fields.receiptRoot, 'header.receiptRoot', {exact: 32}),
    stateRoot: readBytes(fields.stateRoot, 'header.stateRoot', {exact: 32}),
    timestamp: readUint(fields.timestamp, 'header.timestamp'),
    proposer: readBytes(fields.proposer, 'header.proposer', {max: 65}),
    round: readUint(fields.round, 'header.round'),
    txCount: readUint(fields.txCount, 'header.txCount'),
  })
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  return headerFromDocument(decodeCanonical(bytes, 'block header'))
}

/** Leaves are the full canonical tx bytes, so the block hash also commits to every signature. */
export function txRootOf(txs: readonly Tx[]): Uint8Array {
  return memoizedRoot(txs, () => merkleRoot(txs.map((tx) => tx.bytes)))
}

export function receiptRootOf(receipts: readonly Receipt[]): Uint8Array {
  return memoizedRoot(receipts, () => merkleRoot(receipts.map(encodeReceipt)))
}

/**
 * Roots of frozen arrays, computed once: one block's roots are checked at validation, assembly
 * and commit (~1 ms per 1,000 leaves each time). Only frozen arrays (of immutable txs and
 * receipts) are remembered, so a remembered root can never go stale.
 */
const ROOTS = new WeakMap<readonly unknown[], Uint8Array>()

function memoizedRoot(items: readonly unknown[], compute: () => Uint8Array): Uint8Array {
  const known = ROOTS.get(items)
  if (known !== undefined) return new Uint8Array(known)
  const root = compute()
  if (Object.isFrozen(items)) ROOTS.set(items, new Uint8Array(root))
  return root
}

export function createBlock(header: BlockHeader, txs: readonly Tx[]): Block {
  const hash = hashHeader(header)
  const frozen = Object.freeze([...txs])
  const root = ROOTS.get(txs)
  if (root !== undefined) ROOTS.set(frozen, root)
  return Object.freeze({header: Object.freeze({...header}), hash, hashHex: toHex(hash), txs: frozen})
}

/**
 * The canonical bytes of {header, txs}, spliced from each tx's own canonical bytes instead of
 * re-encoding every tx (~12 µs each; every node encodes each block it commits). Canonical map
 * order is length-first, so "txs" precedes "header". Equal to encoding the document (tested).
 */
export function encodeBlock(block: Block): Uint8Array {
  const head = Uint8Array.of(0xa2, 0x63, 0x74, 0x78, 0x73, ...arrayHeader(block.txs.length))
  const tail = encodeCanonical('header')
  const header = encodeCanonical(headerDocument(block.header))
  let length = head.length + tail.length + header.length
  for (const tx of block.txs) length += tx.bytes.length
  const bytes = new Uint8Array(length)
  bytes.set(head, 0)
  let offset = head.length
  for (const tx of block.txs) {
    bytes.set(tx.bytes, offset)
    offset += tx.bytes.length
  }
  bytes.set(tail, offset)
  bytes.set(header, offset + tail.length)
  return bytes
}

/** CBOR header of an array of `count` items (major type 4, shortest form). */
function arrayHeader(count: number): number[] {
  if (count < 24) return [0x80 + count]
  if (count < 0x100) return [0x98, count]
  if (count < 0x10000) return [0x99, count >> 8, count & 0xff]
  return [0x9a, (count >>> 24) & 0xff, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff]
}

/** The block document encoded field by field (reference for encodeBlock; tests compare them). */
export function encodeBlockDocument(block: Block): Uint8Array {
  return encodeCanonical({header: headerDocument(block.header), txs: block.txs.map(txToDocument)})
}

/** Decode a block and check that the header commits to exactly these txs. */
export function decodeBlock(bytes: Uint8Array): Block {
  return blockFromDocument(decodeCanonical(bytes, 'block'))
}

/** A block from its decoded canonical document (see decodeBlock). */
export function blockFromDocument(decoded: unknown): Block {
  const document = readRecord(decoded, 'block', ['header', 'txs'])
  const header = headerFromDocument(document.header)
  const txs = readArray(document.txs, 'block.txs', BLOCK_LIMITS.txsMax).map((document) => txFromDocument(document))
  checkBlockBody(header, txs)
  return createBlock(header, txs)
}

export function checkBlockBody(header: BlockHeader, txs: readonly Tx[]): void {
  if (header.txCount !== txs.length) {
    throw new WichainError('DECODE_ERROR', `block ${header.height}: header says ${header.txCount} txs, body has ${txs.length}`)
  }
  if (!bytesEqual(txRootOf(txs), header.txRoot)) {
    throw new WichainError('CORRUPT_DATA', `block ${header.height}: txRoot does not match its txs`)
  }
}

export function headerToJson(header: BlockHeader, hash: Uint8Array): Record<string, unknown> {
  return {
    chainId: header.chainId,
    height: header.height,
    hash: toHex(hash),
    prevHash: toHex(header.prevHash),
    txRoot: toHex(header.txRoot),
    receiptRoot: toHex(header.receiptRoot),
    stateRoot: toHex(header.stateRoot),
    timestamp: header.timestamp,
    proposer: toHex(header.proposer),
    round: header.round,
    txCount: header.txCount,
  }
}
