/**
 * Key layout of one chain's LevelDB (one DB per chain per node). Every key starts with one
 * family byte; heights are 8-byte big-endian so LevelDB's byte order is height order.
 *
 *   0x00 'version'              → u32 BE layout version (written when the DB is created)
 *   0x00 'head'                 → u64 BE height ‖ 32-byte block hash (the last committed block)
 *   0x01 height(8)              → canonical block bytes (`encodeBlock`: header + txs)
 *   0x02 blockHash(32)          → u64 BE height
 *   0x03 txHash(32)             → u64 BE height ‖ u32 BE index of the tx in its block
 *   0x04 height(8)              → canonical array of receipt documents, in tx order
 *   0x05 height(8)              → canonical commit certificate (absent for genesis)
 *   0x06 stateKey(1..1024)      → state value (raw bytes written by contracts)
 *   0x07 utf8 name              → metadata (genesis document, consensus state …)
 *   0x08 height(8)              → canonical header bytes of an archived block (its 0x01 and 0x04
 *                                  entries moved into an archive segment, see archive.ts)
 *
 * Everything of one block (0x00 head, 0x01–0x05, state writes) is written in one atomic batch.
 */
import {AssertionError} from '../assert.js'
import {concatBytes, utf8} from '../bytes.js'
import {WichainError} from '../errors.js'

export const LAYOUT_VERSION = 1

const FAMILY = Object.freeze({
  control: 0x00,
  block: 0x01,
  blockHash: 0x02,
  txLocation: 0x03,
  receipts: 0x04,
  certificate: 0x05,
  state: 0x06,
  meta: 0x07,
  header: 0x08,
})

const HEIGHT_BYTES = 8
const INDEX_BYTES = 4
const HASH_BYTES = 32

function family(prefix: number, ...rest: Uint8Array[]): Uint8Array {
  return concatBytes(new Uint8Array([prefix]), ...rest)
}

export function encodeHeight(height: number): Uint8Array {
  const bytes = new Uint8Array(HEIGHT_BYTES)
  new DataView(bytes.buffer).setBigUint64(0, BigInt(height))
  return bytes
}

function readHeight(bytes: Uint8Array, offset: number, what: string): number {
  const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new WichainError('CORRUPT_DATA', `${what}: height out of range`)
  return Number(value)
}

function expectLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new WichainError('CORRUPT_DATA', `${what}: expected ${length} bytes, found ${bytes.length}`)
  }
}

export const versionKey = (): Uint8Array => family(FAMILY.control, utf8('version'))
export const headKey = (): Uint8Array => family(FAMILY.control, utf8('head'))
export const blockKey = (height: number): Uint8Array => family(FAMILY.block, encodeHeight(height))
export const blockHashKey = (hash: Uint8Array): Uint8Array => family(FAMILY.blockHash, hash)
export const txLocationKey = (txHash: Uint8Array): Uint8Array => family(FAMILY.txLocation, txHash)
export const receiptsKey = (height: number): Uint8Array => family(FAMILY.receipts, encodeHeight(height))
export const certificateKey = (height: number): Uint8Array => family(FAMILY.certificate, encodeHeight(height))
export const stateKeyOf = (key: Uint8Array): Uint8Array => family(FAMILY.state, key)
export const metaKey = (name: string): Uint8Array => family(FAMILY.meta, utf8(name))
export const headerKey = (height: number): Uint8Array => family(FAMILY.header, encodeHeight(height))

/** Key range [gte, lt) of every key in a family, optionally under a sub-prefix. */
export function familyRange(name: 'block' | 'txLocation' | 'state', prefix: Uint8Array = new Uint8Array(0)): {gte: Uint8Array; lt: Uint8Array} {
  const gte = family(FAMILY[name], prefix)
  return {gte, lt: successorOf(gte)}
}

/** Smallest key greater than every key starting with `prefix` (prefix is never all 0xff here). */
function successorOf(prefix: Uint8Array): Uint8Array {
  const next = prefix.slice()
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 0xff) {
      next[i] = next[i]! + 1
      return next.subarray(0, i + 1)
    }
  }
  // Unreachable: every prefix starts with a family byte below 0xff.
  throw new AssertionError('key prefix has no successor')
}

/** Strip the family byte from a state key read back by an iterator. */
export function stateKeyFromStored(stored: Uint8Array): Uint8Array {
  return stored.subarray(1)
}

export function heightFromBlockKey(stored: Uint8Array): number {
  expectLength(stored, 1 + HEIGHT_BYTES, 'block key')
  return readHeight(stored, 1, 'block key')
}

export function txHashFromLocationKey(stored: Uint8Array): Uint8Array {
  expectLength(stored, 1 + HASH_BYTES, 'tx index key')
  return stored.subarray(1)
}

export interface HeadPointer {
  readonly height: number
  readonly hash: Uint8Array
}

export function encodeHead(head: HeadPointer): Uint8Array {
  return concatBytes(encodeHeight(head.height), head.hash)
}

export function decodeHead(bytes: Uint8Array): HeadPointer {
  expectLength(bytes, HEIGHT_BYTES + HASH_BYTES, 'head pointer')
  return Object.freeze({height: readHeight(bytes, 0, 'head pointer'), hash: bytes.slice(HEIGHT_BYTES)})
}

export function decodeStoredHeight(bytes: Uint8Array, what: string): number {
  expectLength(bytes, HEIGHT_BYTES, what)
  return readHeight(bytes, 0, what)
}

export interface TxLocation {
  readonly height: number
  readonly index: number
}

export function encodeTxLocation(location: TxLocation): Uint8Array {
  const bytes = new Uint8Array(HEIGHT_BYTES + INDEX_BYTES)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, BigInt(location.height))
  view.setUint32(HEIGHT_BYTES, location.index)
  return bytes
}

export function decodeTxLocation(bytes: Uint8Array, what: string): TxLocation {
  expectLength(bytes, HEIGHT_BYTES + INDEX_BYTES, what)
  const index = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(HEIGHT_BYTES)
  return Object.freeze({height: readHeight(bytes, 0, what), index})
}

export function encodeVersion(version: number): Uint8Array {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, version)
  return bytes
}

export function decodeVersion(bytes: Uint8Array): number {
  expectLength(bytes, 4, 'layout version')
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)
}
