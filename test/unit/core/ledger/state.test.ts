import {expect} from 'chai'
import fc from 'fast-check'
import {AssertionError} from '../../../../src/core/assert.js'
import {concatBytes, toHex, utf8} from '../../../../src/core/bytes.js'
import {encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {compareBytes, nextStateRoot, type StateWrite} from '../../../../src/core/ledger/index.js'
import {merkleRoot} from '../../../../src/core/types/merkle.js'

const ROOT = sm3(utf8('previous'))
const writes: StateWrite[] = [
  {key: utf8('b'), value: utf8('2')},
  {key: utf8('a'), value: utf8('1')},
  {key: utf8('c'), value: null},
]

/** Fisher–Yates driven by a small LCG, so fast-check's seed fixes the permutation. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const result = [...items]
  let state = seed >>> 0
  for (let i = result.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0
    const j = state % (i + 1)
    ;[result[i], result[j]] = [result[j]!, result[i]!]
  }
  return result
}

describe('core/ledger: state root hash chain', function () {
  it('is SM3(previous root ‖ Merkle root of the canonical writes sorted by key)', function () {
    const sorted = [writes[1]!, writes[0]!, writes[2]!]
    const leaves = sorted.map((write) => encodeCanonical({key: write.key, value: write.value}))
    expect(toHex(nextStateRoot(ROOT, writes))).to.equal(toHex(sm3(concatBytes(ROOT, merkleRoot(leaves)))))
  })

  it('does not depend on the order writes are given in', function () {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({minLength: 1, maxLength: 8}), {selector: toHex, maxLength: 12}), fc.nat(), (keys, seed) => {
        const list = keys.map((key, index) => ({key, value: index % 2 === 0 ? key : null}))
        const shuffled = shuffle(list, seed)
        return toHex(nextStateRoot(ROOT, list)) === toHex(nextStateRoot(ROOT, shuffled))
      }),
      {numRuns: 50},
    )
  })

  it('changes with the previous root, any value, a delete, or no writes at all', function () {
    const base = toHex(nextStateRoot(ROOT, writes))
    const variants = [
      nextStateRoot(sm3(utf8('other')), writes),
      nextStateRoot(ROOT, [{...writes[0]!, value: utf8('3')}, writes[1]!, writes[2]!]),
      nextStateRoot(ROOT, [writes[0]!, writes[1]!, {key: utf8('c'), value: new Uint8Array(0)}]),
      nextStateRoot(ROOT, writes.slice(0, 2)),
      nextStateRoot(ROOT, []),
    ].map(toHex)
    expect(new Set([base, ...variants]).size).to.equal(variants.length + 1)
    // An empty block still moves the chain forward (the root is a chain, not a snapshot).
    expect(toHex(nextStateRoot(ROOT, []))).to.not.equal(toHex(ROOT))
  })

  it('refuses duplicate keys, oversized keys and a bad previous root (bugs of the executor are assertions)', function () {
    expect(() => nextStateRoot(ROOT, [writes[0]!, writes[0]!])).to.throw(AssertionError, /written twice/)
    expect(() => nextStateRoot(ROOT, [{key: new Uint8Array(1025), value: null}])).to.throw().with.property('code', 'PAYLOAD_TOO_LARGE')
    expect(() => nextStateRoot(ROOT, [{key: new Uint8Array(0), value: null}])).to.throw().with.property('code', 'PAYLOAD_TOO_LARGE')
    expect(() => nextStateRoot(new Uint8Array(31), writes)).to.throw(AssertionError, /previous state root/)
  })

  it('orders keys bytewise (shorter prefix first)', function () {
    const ordered = [utf8('a'), utf8('ab'), utf8('b'), new Uint8Array([0xff])]
    expect([...ordered].reverse().sort(compareBytes).map(toHex)).to.deep.equal(ordered.map(toHex))
  })
})
