/**
 * SM3 Merkle trees with inclusion proofs. Leaves and inner nodes are domain-separated
 * (0x00 / 0x01 prefixes) so a leaf can never pass as an inner node; an odd node is promoted to
 * the next level unchanged (never duplicated, which would let two lists share a root).
 */
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'

const LEAF_PREFIX = new Uint8Array([0])
const NODE_PREFIX = new Uint8Array([1])
export const MERKLE_LEAVES_MAX = 1 << 20

/** Root of the empty list: SM3 of the empty string. */
export const EMPTY_ROOT: Uint8Array = sm3()

export function merkleLeaf(data: Uint8Array): Uint8Array {
  return sm3(LEAF_PREFIX, data)
}

function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sm3(NODE_PREFIX, left, right)
}

/** Root over leaf hashes (already `merkleLeaf`-ed). */
export function merkleRootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT
  let level = leaves.slice()
  while (level.length > 1) level = nextLevel(level)
  return level[0]!
}

export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  return merkleRootOfLeaves(items.map(merkleLeaf))
}

function nextLevel(level: readonly Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = []
  for (let i = 0; i < level.length; i += 2) {
    next.push(i + 1 < level.length ? merkleNode(level[i]!, level[i + 1]!) : level[i]!)
  }
  return next
}

export interface MerkleProofStep {
  readonly side: 'left' | 'right'
  readonly hash: string
}

/** JSON-friendly proof: the sibling path from the leaf up to the root. */
export interface MerkleProof {
  readonly index: number
  readonly total: number
  readonly path: readonly MerkleProofStep[]
}

export function merkleProof(items: readonly Uint8Array[], index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) {
    throw new WichainError('INVALID_ARGUMENT', `merkle proof index ${index} out of range 0..${items.length - 1}`)
  }
  const path: MerkleProofStep[] = []
  let level = items.map(merkleLeaf)
  let position = index
  while (level.length > 1) {
    const sibling = position % 2 === 0 ? position + 1 : position - 1
    if (sibling < level.length) {
      path.push({side: position % 2 === 0 ? 'right' : 'left', hash: toHex(level[sibling]!)})
    }
    level = nextLevel(level)
    position = Math.floor(position / 2)
  }
  return {index, total: items.length, path}
}

/** True when `item` sits at `proof.index` of a list whose root is `root`. Never throws. */
export function verifyMerkleProof(item: Uint8Array, proof: MerkleProof, root: Uint8Array): boolean {
  try {
    // A fractional or unbounded total would describe no real list (2.5 behaves like 3).
    if (!Number.isSafeInteger(proof.total) || proof.total < 1 || proof.total > MERKLE_LEAVES_MAX) return false
    if (!Number.isInteger(proof.index) || proof.index < 0 || proof.index >= proof.total) return false
    if (!Array.isArray(proof.path)) return false
    if (proof.path.length > 64) return false
    // Recompute which levels have a sibling so a proof cannot skip or invent steps.
    let hash = merkleLeaf(item)
    let position = proof.index
    let width = proof.total
    let step = 0
    while (width > 1) {
      const sibling = position % 2 === 0 ? position + 1 : position - 1
      if (sibling < width) {
        const entry = proof.path[step++]
        if (entry === undefined) return false
        const expectedSide = position % 2 === 0 ? 'right' : 'left'
        if (entry.side !== expectedSide) return false
        const siblingHash = fromHex(entry.hash)
        if (siblingHash.length !== 32) return false
        hash = expectedSide === 'right' ? merkleNode(hash, siblingHash) : merkleNode(siblingHash, hash)
      }
      position = Math.floor(position / 2)
      width = Math.ceil(width / 2)
    }
    return step === proof.path.length && bytesEqual(hash, root)
  } catch {
    return false
  }
}

