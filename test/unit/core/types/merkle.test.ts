import {expect} from 'chai'
import fc from 'fast-check'
import {bytesEqual, concatBytes, toHex, utf8} from '../../../../src/core/bytes.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  EMPTY_ROOT, MERKLE_LEAVES_MAX, merkleLeaf, merkleProof, merkleRoot, merkleRootOfLeaves, verifyMerkleProof, type MerkleProof,
} from '../../../../src/core/types/merkle.js'

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])

/**
 * Reference root written independently of the module: split at the largest power of two below
 * the size (RFC 6962 shape). For the promotion rule ("an odd node moves up unchanged") both give
 * the same tree, which is what this cross-check relies on.
 */
function referenceRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sm3()
  if (items.length === 1) return sm3(LEAF, items[0]!)
  let split = 1
  while (split * 2 < items.length) split *= 2
  return sm3(NODE, referenceRoot(items.slice(0, split)), referenceRoot(items.slice(split)))
}

function itemsOf(count: number, tag = 'item'): Uint8Array[] {
  return Array.from({length: count}, (_, index) => utf8(`${tag}-${index}`))
}

function withPath(proof: MerkleProof, path: MerkleProof['path']): MerkleProof {
  return {...proof, path}
}

function flipSide(side: 'left' | 'right'): 'left' | 'right' {
  return side === 'left' ? 'right' : 'left'
}

describe('core/types/merkle', () => {
  describe('roots', () => {
    it('has SM3("") as the root of the empty list, distinct from one empty item', () => {
      expect(toHex(merkleRoot([]))).to.equal(toHex(sm3()))
      expect(toHex(EMPTY_ROOT)).to.equal(toHex(sm3()))
      expect(toHex(merkleRoot([new Uint8Array(0)]))).to.not.equal(toHex(EMPTY_ROOT))
    })

    it('domain-separates leaves (0x00) from inner nodes (0x01)', () => {
      const [a, b, c] = itemsOf(3)
      expect(toHex(merkleRoot([a!]))).to.equal(toHex(sm3(LEAF, a!)))
      expect(toHex(merkleLeaf(a!))).to.equal(toHex(sm3(LEAF, a!)))
      const ab = sm3(NODE, sm3(LEAF, a!), sm3(LEAF, b!))
      expect(toHex(merkleRoot([a!, b!]))).to.equal(toHex(ab))
      // An odd node is promoted unchanged, not paired with itself.
      expect(toHex(merkleRoot([a!, b!, c!]))).to.equal(toHex(sm3(NODE, ab, sm3(LEAF, c!))))
    })

    it('matches the reference for 0..33 items and merkleRootOfLeaves agrees', () => {
      const roots = new Set<string>()
      for (let count = 0; count <= 33; count++) {
        const items = itemsOf(count)
        const root = merkleRoot(items)
        expect(toHex(root), `${count} items`).to.equal(toHex(referenceRoot(items)))
        expect(toHex(merkleRootOfLeaves(items.map(merkleLeaf)))).to.equal(toHex(root))
        roots.add(toHex(root))
      }
      // Prefixes of one list: every length has its own root.
      expect(roots.size).to.equal(34)
    })

    it('does not let a duplicated last item share a root (the CVE-2012-2459 shape)', () => {
      const items = itemsOf(3)
      expect(toHex(merkleRoot([...items, items[2]!]))).to.not.equal(toHex(merkleRoot(items)))
      const five = itemsOf(5)
      expect(toHex(merkleRoot([...five, five[4]!]))).to.not.equal(toHex(merkleRoot(five)))
    })

    it('does not let inner nodes pose as items (second preimage)', () => {
      const [a, b, c, d] = itemsOf(4)
      const leaves = [a!, b!, c!, d!].map(merkleLeaf)
      const forged = [concatBytes(leaves[0]!, leaves[1]!), concatBytes(leaves[2]!, leaves[3]!)]
      expect(toHex(merkleRoot(forged))).to.not.equal(toHex(merkleRoot([a!, b!, c!, d!])))
      expect(toHex(merkleRootOfLeaves([sm3(NODE, leaves[0]!, leaves[1]!), sm3(NODE, leaves[2]!, leaves[3]!)])))
        .to.equal(toHex(merkleRoot([a!, b!, c!, d!])))
    })

    it('never gives two different lists the same root (randomized)', () => {
      const list = fc.array(fc.uint8Array({maxLength: 4}), {maxLength: 12})
      fc.assert(
        fc.property(list, list, (a, b) => {
          const same = a.length === b.length && a.every((item, index) => bytesEqual(item, b[index]!))
          expect(bytesEqual(merkleRoot(a), merkleRoot(b))).to.equal(same)
        }),
        {numRuns: 1000, seed: 17},
      )
    })

    it('changes when any single item changes, and when two items swap', () => {
      fc.assert(
        fc.property(fc.integer({min: 1, max: 40}), fc.nat(), fc.nat(), (count, first, second) => {
          const items = itemsOf(count)
          const root = toHex(merkleRoot(items))
          const changed = items.slice()
          changed[first % count] = utf8('other')
          expect(toHex(merkleRoot(changed))).to.not.equal(root)
          const i = first % count
          const j = second % count
          if (i !== j) {
            const swapped = items.slice()
            ;[swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!]
            expect(toHex(merkleRoot(swapped))).to.not.equal(root)
          }
        }),
        {numRuns: 200, seed: 19},
      )
    })
  })

  describe('proofs', () => {
    it('verify for every index of lists of 1..33 items, with the expected number of steps', () => {
      for (let count = 1; count <= 33; count++) {
        const items = itemsOf(count)
        const root = merkleRoot(items)
        for (let index = 0; index < count; index++) {
          const proof = merkleProof(items, index)
          expect(proof.index).to.equal(index)
          expect(proof.total).to.equal(count)
          expect(proof.path.length).to.be.at.most(Math.ceil(Math.log2(count)))
          expect(verifyMerkleProof(items[index]!, proof, root), `${index}/${count}`).to.equal(true)
          expect(verifyMerkleProof(items[index]!, JSON.parse(JSON.stringify(proof)) as MerkleProof, root)).to.equal(true)
        }
      }
    })

    it('fail for a wrong item, root, or index', () => {
      for (const count of [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 33]) {
        const items = itemsOf(count)
        const root = merkleRoot(items)
        const otherRoot = merkleRoot(itemsOf(count, 'other'))
        for (let index = 0; index < count; index++) {
          const proof = merkleProof(items, index)
          expect(verifyMerkleProof(utf8('intruder'), proof, root)).to.equal(false)
          expect(verifyMerkleProof(items[index]!, proof, otherRoot)).to.equal(false)
          for (let other = 0; other < count; other++) {
            if (other === index) continue
            expect(verifyMerkleProof(items[index]!, {...proof, index: other}, root), `${index}→${other}/${count}`).to.equal(false)
            expect(verifyMerkleProof(items[other]!, proof, root)).to.equal(false)
          }
        }
      }
    })

    it('fail for a wrong total unless both sizes give the item the same path shape', () => {
      // With promotion, item 2 of 3 and item 1 of 2 both sit right below the root with one left
      // sibling; a proof cannot tell them apart, so a verifier must take the total from signed
      // data (the header's txCount), as the tx certificate does.
      const sides = (proof: MerkleProof) => proof.path.map((step) => step.side).join(',')
      const shapes = new Map<number, string[]>()
      const shapeOf = (index: number, total: number): string => {
        if (!shapes.has(total)) {
          const list = itemsOf(total)
          shapes.set(total, list.map((_, i) => sides(merkleProof(list, i))))
        }
        return shapes.get(total)![index]!
      }
      let refused = 0
      for (let count = 1; count <= 20; count++) {
        const items = itemsOf(count)
        const root = merkleRoot(items)
        for (let index = 0; index < count; index++) {
          const proof = merkleProof(items, index)
          for (let total = index + 1; total <= 24; total++) {
            if (total === count) continue
            const accepted = verifyMerkleProof(items[index]!, {...proof, total}, root)
            const sameShape = shapeOf(index, total) === sides(proof)
            if (!sameShape) expect(accepted, `${index}/${count} as total ${total}`).to.equal(false)
            if (!accepted) refused++
          }
        }
      }
      expect(refused).to.be.greaterThan(2_000)
      const three = itemsOf(3)
      expect(verifyMerkleProof(three[2]!, {...merkleProof(three, 2), index: 1, total: 2}, merkleRoot(three))).to.equal(true)
    })

    it('fail for a changed path hash, swapped sides, extra or missing steps', () => {
      for (const count of [2, 3, 5, 8, 13, 33]) {
        const items = itemsOf(count)
        const root = merkleRoot(items)
        for (let index = 0; index < count; index++) {
          const proof = merkleProof(items, index)
          const item = items[index]!
          proof.path.forEach((step, position) => {
            const hash = step.hash.slice(0, -1) + (step.hash.endsWith('0') ? '1' : '0')
            const changed = proof.path.map((entry, i) => (i === position ? {...entry, hash} : entry))
            expect(verifyMerkleProof(item, withPath(proof, changed), root)).to.equal(false)
            const swapped = proof.path.map((entry, i) => (i === position ? {...entry, side: flipSide(entry.side)} : entry))
            expect(verifyMerkleProof(item, withPath(proof, swapped), root)).to.equal(false)
          })
          const extra = {side: 'right' as const, hash: toHex(merkleLeaf(utf8('extra')))}
          expect(verifyMerkleProof(item, withPath(proof, [...proof.path, extra]), root)).to.equal(false)
          expect(verifyMerkleProof(item, withPath(proof, [extra, ...proof.path]), root)).to.equal(false)
          if (proof.path.length > 0) {
            expect(verifyMerkleProof(item, withPath(proof, proof.path.slice(1)), root)).to.equal(false)
            expect(verifyMerkleProof(item, withPath(proof, proof.path.slice(0, -1)), root)).to.equal(false)
          }
          if (proof.path.length > 1) {
            expect(verifyMerkleProof(item, withPath(proof, [...proof.path].reverse()), root)).to.equal(false)
          }
        }
      }
    })

    it('do not accept an inner node posing as a leaf', () => {
      const items = itemsOf(4)
      const leaves = items.map(merkleLeaf)
      const root = merkleRoot(items)
      // The concatenated children of the left inner node, claimed as item 0 of a 2-item list.
      const posing = concatBytes(leaves[0]!, leaves[1]!)
      const rightNode = toHex(sm3(NODE, leaves[2]!, leaves[3]!))
      expect(verifyMerkleProof(posing, {index: 0, total: 2, path: [{side: 'right', hash: rightNode}]}, root)).to.equal(false)
      // The inner node hash itself, claimed as an item.
      const leftNode = sm3(NODE, leaves[0]!, leaves[1]!)
      expect(verifyMerkleProof(leftNode, {index: 0, total: 2, path: [{side: 'right', hash: rightNode}]}, root)).to.equal(false)
      // A leaf hash claimed as an item of a one-item list.
      expect(verifyMerkleProof(leaves[0]!, {index: 0, total: 1, path: []}, merkleRoot(items.slice(0, 1)))).to.equal(false)
    })

    it('return false, never throw, for malformed proofs', () => {
      const items = itemsOf(5)
      const root = merkleRoot(items)
      const proof = merkleProof(items, 3)
      const step = proof.path[0]!
      const malformed: unknown[] = [
        null, undefined, {}, [], 'proof',
        {...proof, index: -1}, {...proof, index: 1.5}, {...proof, index: 5}, {...proof, index: '3'},
        {...proof, total: 0}, {...proof, total: 5.5}, {...proof, total: Infinity}, {...proof, total: 1e999},
        {...proof, total: MERKLE_LEAVES_MAX + 1}, {...proof, total: '5'}, {...proof, total: NaN},
        {...proof, path: null}, {...proof, path: 'abc'}, {...proof, path: {length: 3}},
        {...proof, path: [null, ...proof.path.slice(1)]},
        {...proof, path: [{...step, hash: 'zz'}, ...proof.path.slice(1)]},
        {...proof, path: [{...step, hash: step.hash.slice(2)}, ...proof.path.slice(1)]},
        {...proof, path: [{...step, hash: `${step.hash}00`}, ...proof.path.slice(1)]},
        {...proof, path: [{...step, hash: 7}, ...proof.path.slice(1)]},
        {...proof, path: [{...step, side: 'middle'}, ...proof.path.slice(1)]},
        {...proof, path: new Array(65).fill(step)},
      ]
      for (const entry of malformed) {
        expect(verifyMerkleProof(items[3]!, entry as MerkleProof, root), JSON.stringify(entry)).to.equal(false)
      }
      expect(verifyMerkleProof(items[3]!, proof, new Uint8Array(0))).to.equal(false)
    })

    it('refuses to build a proof for an index out of range', () => {
      const items = itemsOf(3)
      for (const index of [-1, 3, 1.5, NaN]) {
        expect(() => merkleProof(items, index)).to.throw(WichainError).with.property('code', 'INVALID_ARGUMENT')
      }
      expect(() => merkleProof([], 0)).to.throw(WichainError)
    })

    it('verify for random lists and fail for a random other item (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({maxLength: 8}), {minLength: 1, maxLength: 70}), fc.nat(), fc.uint8Array({maxLength: 8}), (items, pick, other) => {
          const index = pick % items.length
          const root = merkleRoot(items)
          const proof = merkleProof(items, index)
          expect(verifyMerkleProof(items[index]!, proof, root)).to.equal(true)
          expect(verifyMerkleProof(other, proof, root)).to.equal(bytesEqual(other, items[index]!))
        }),
        {numRuns: 300, seed: 23},
      )
    })
  })
})
