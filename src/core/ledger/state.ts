/**
 * State writes and the state root.
 *
 * The state root is a hash chain of state changes, not an authenticated trie:
 *
 *   stateRoot(h) = SM3( stateRoot(h-1) ‖ MerkleRoot( encode(write) for writes of block h sorted by key ) )
 *   encode(write) = canonical CBOR {key: bytes, value: bytes | null}   (null = delete)
 *
 * Two nodes that applied the same writes in the same blocks hold the same root, so a diverging
 * node shows up at the first block where it differs — without a full state trie. It cannot prove
 * the value of one key to a light client; an authenticated trie (e.g. a sparse Merkle tree) can
 * replace it later, behind the same `stateRoot` header field.
 */
import {assert} from '../assert.js'
import {toHex} from '../bytes.js'
import {encodeCanonical} from '../codec/canonical.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'
import {merkleRoot} from '../types/merkle.js'

export interface StateWrite {
  readonly key: Uint8Array
  /** null deletes the key. */
  readonly value: Uint8Array | null
}

export const STATE_LIMITS = Object.freeze({
  keyBytesMax: 1024,
  valueBytesMax: 1024 * 1024,
  /** Most state writes in one block. */
  writesMax: 100_000,
  /** Most bytes (keys + values) written to state by one block. */
  writeBytesMax: 64 * 1024 * 1024,
})

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

export function checkStateKey(key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array)) throw new WichainError('INVALID_ARGUMENT', 'state key must be bytes')
  if (key.length === 0 || key.length > STATE_LIMITS.keyBytesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `state key is ${key.length} bytes; allowed 1..${STATE_LIMITS.keyBytesMax}`)
  }
  return key
}

/**
 * Check the writes of one block against the limits and return them sorted by key.
 * Two writes to one key in one block are refused: the executor hands over net writes.
 */
export function sortedStateWrites(writes: readonly StateWrite[]): readonly StateWrite[] {
  if (writes.length > STATE_LIMITS.writesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `${writes.length} state writes in one block; limit ${STATE_LIMITS.writesMax}`)
  }
  let bytes = 0
  for (const write of writes) {
    checkStateKey(write.key)
    // The executor's writes: anything else is a bug in it.
    assert(write.value === null || write.value instanceof Uint8Array, `state value for key ${toHex(write.key)} must be bytes or null`)
    const valueBytes = write.value?.length ?? 0
    if (valueBytes > STATE_LIMITS.valueBytesMax) {
      throw new WichainError('PAYLOAD_TOO_LARGE', `state value for key ${toHex(write.key)} is ${valueBytes} bytes; limit ${STATE_LIMITS.valueBytesMax}`)
    }
    bytes += write.key.length + valueBytes
  }
  if (bytes > STATE_LIMITS.writeBytesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `state writes of one block total ${bytes} bytes; limit ${STATE_LIMITS.writeBytesMax}`)
  }
  const sorted = [...writes].sort((a, b) => compareBytes(a.key, b.key))
  for (let i = 1; i < sorted.length; i++) {
    assert(compareBytes(sorted[i - 1]!.key, sorted[i]!.key) !== 0, `state key ${toHex(sorted[i]!.key)} is written twice in one block (the executor nets writes per key)`)
  }
  return sorted
}

export function encodeStateWrite(write: StateWrite): Uint8Array {
  return encodeCanonical({key: write.key, value: write.value})
}

/** The state root after applying `writes` on top of the state whose root is `previousRoot`. */
export function nextStateRoot(previousRoot: Uint8Array, writes: readonly StateWrite[]): Uint8Array {
  assert(previousRoot instanceof Uint8Array && previousRoot.length === 32, 'previous state root must be 32 bytes')
  return sm3(previousRoot, writesRoot(writes))
}

/**
 * The Merkle root of a block's writes, computed once per frozen array (a block's writes are
 * rooted when it is assembled and again when the ledger checks the commit).
 */
function writesRoot(writes: readonly StateWrite[]): Uint8Array {
  const known = WRITES_ROOTS.get(writes)
  if (known !== undefined) return known
  const root = merkleRoot(sortedStateWrites(writes).map(encodeStateWrite))
  if (Object.isFrozen(writes) && writes.every((write) => Object.isFrozen(write))) WRITES_ROOTS.set(writes, root)
  return root
}

const WRITES_ROOTS = new WeakMap<readonly StateWrite[], Uint8Array>()
