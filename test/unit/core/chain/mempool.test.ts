import {expect} from 'chai'
import {createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {Mempool} from '../../../../src/core/chain/mempool.js'
import {REFORWARD_AFTER_MS, REFORWARD_AFTER_MS_MAX} from '../../../../src/core/limits.js'
import type {Tx} from '../../../../src/core/types/tx.js'
import {makeTx} from './fixtures.js'

function expectCode(action: () => unknown, code: string): void {
  expect(action).to.throw(WichainError).with.property('code', code)
}

const signer = createSigner(generateKeyPair())
const hashes = (txs: readonly Tx[]) => txs.map((tx) => tx.hashHex)

describe('core/chain/mempool', () => {
  const txs = Array.from({length: 6}, (_, index) => makeTx(signer, {expiry: 10 + index}))
  const bytesOf = (list: readonly Tx[]) => list.reduce((sum, tx) => sum + tx.bytes.length, 0)

  it('starts empty', () => {
    const pool = new Mempool({txsMax: 10, bytesMax: 1_000_000})
    expect(pool.size).to.equal(0)
    expect(pool.sizeBytes).to.equal(0)
    expect(pool.take(10, 0)).to.deep.equal([])
    expect(pool.has(txs[0]!.hashHex)).to.equal(false)
  })

  it('refuses a tx beyond txsMax with MEMPOOL_FULL and keeps what it has', () => {
    const pool = new Mempool({txsMax: 3, bytesMax: 1_000_000})
    for (const tx of txs.slice(0, 3)) pool.add(tx)
    expectCode(() => pool.add(txs[3]!), 'MEMPOOL_FULL')
    expect(pool.size).to.equal(3)
    expect(pool.has(txs[3]!.hashHex)).to.equal(false)
    expect(hashes(pool.take(10, 0))).to.deep.equal(hashes(txs.slice(0, 3)))
  })

  it('refuses a tx that would exceed bytesMax with MEMPOOL_FULL', () => {
    const limit = bytesOf(txs.slice(0, 2)) + txs[2]!.bytes.length - 1
    const pool = new Mempool({txsMax: 100, bytesMax: limit})
    pool.add(txs[0]!)
    pool.add(txs[1]!)
    expectCode(() => pool.add(txs[2]!), 'MEMPOOL_FULL')
    expect(pool.size).to.equal(2)
    expect(pool.sizeBytes).to.equal(bytesOf(txs.slice(0, 2)))
    const exact = new Mempool({txsMax: 100, bytesMax: bytesOf(txs.slice(0, 3))})
    for (const tx of txs.slice(0, 3)) exact.add(tx)
    expect(exact.sizeBytes).to.equal(bytesOf(txs.slice(0, 3)))
  })

  it('refuses a duplicate with DUPLICATE_TX, also when full', () => {
    const pool = new Mempool({txsMax: 2, bytesMax: 1_000_000})
    pool.add(txs[0]!)
    expectCode(() => pool.add(txs[0]!), 'DUPLICATE_TX')
    pool.add(txs[1]!)
    expectCode(() => pool.add(txs[1]!), 'DUPLICATE_TX')
    expect(pool.size).to.equal(2)
    expect(pool.sizeBytes).to.equal(bytesOf(txs.slice(0, 2)))
  })

  it('takes in arrival order, at most countMax, without removing', () => {
    const pool = new Mempool({txsMax: 10, bytesMax: 1_000_000})
    const arrival = [txs[3]!, txs[0]!, txs[5]!, txs[1]!]
    for (const tx of arrival) pool.add(tx)
    expect(hashes(pool.take(10, 0))).to.deep.equal(hashes(arrival))
    expect(hashes(pool.take(2, 0))).to.deep.equal(hashes(arrival.slice(0, 2)))
    expect(pool.take(0, 0)).to.deep.equal([])
    expect(pool.size).to.equal(4)
  })

  it('skips txs that expired before the height when taking', () => {
    const pool = new Mempool({txsMax: 10, bytesMax: 1_000_000})
    for (const tx of txs) pool.add(tx) // expiries 10..15
    expect(hashes(pool.take(10, 13))).to.deep.equal(hashes(txs.slice(3)))
    // Expired txs do not use up the count.
    expect(hashes(pool.take(2, 13))).to.deep.equal(hashes(txs.slice(3, 5)))
    expect(pool.take(10, 16)).to.deep.equal([])
    expect(pool.size).to.equal(6)
  })

  it('prunes txs whose expiry is below the height and reports how many', () => {
    const pool = new Mempool({txsMax: 10, bytesMax: 1_000_000})
    for (const tx of txs) pool.add(tx)
    expect(pool.pruneExpired(10)).to.equal(0)
    expect(pool.pruneExpired(12)).to.equal(2)
    expect(pool.size).to.equal(4)
    expect(pool.sizeBytes).to.equal(bytesOf(txs.slice(2)))
    expect(pool.has(txs[1]!.hashHex)).to.equal(false)
    expect(pool.has(txs[2]!.hashHex)).to.equal(true) // expiry 12 is still valid at height 12
    expect(pool.pruneExpired(100)).to.equal(4)
    expect(pool.sizeBytes).to.equal(0)
  })

  it('removes committed txs, ignores unknown hashes, and frees their room', () => {
    const pool = new Mempool({txsMax: 3, bytesMax: 1_000_000})
    for (const tx of txs.slice(0, 3)) pool.add(tx)
    pool.remove([txs[1]!.hashHex, txs[4]!.hashHex, 'not-a-hash', txs[1]!.hashHex])
    expect(pool.size).to.equal(2)
    expect(pool.sizeBytes).to.equal(bytesOf([txs[0]!, txs[2]!]))
    expect(hashes(pool.take(10, 0))).to.deep.equal(hashes([txs[0]!, txs[2]!]))
    pool.add(txs[3]!)
    expectCode(() => pool.add(txs[1]!), 'MEMPOOL_FULL')
    pool.remove(new Set([txs[0]!.hashHex]))
    // A removed tx may come back (e.g. after a proposal was abandoned); it goes to the end.
    pool.add(txs[1]!)
    expect(hashes(pool.take(10, 0))).to.deep.equal(hashes([txs[2]!, txs[3]!, txs[1]!]))
  })

  it('forwards a client tx again while it is pending, with a doubling wait; never a peer tx or a removed one', () => {
    const pool = new Mempool({txsMax: 10, bytesMax: 1_000_000})
    pool.add(txs[0]!, 0, true)
    pool.add(txs[1]!, 0, false) // from a peer: its sender forwards it
    pool.add(txs[2]!, 100, true)
    expect(pool.dueForForward(REFORWARD_AFTER_MS - 1, 10)).to.deep.equal([])
    expect(hashes(pool.dueForForward(REFORWARD_AFTER_MS + 100, 10))).to.deep.equal(hashes([txs[0]!, txs[2]!]))
    // The next resend waits twice as long.
    expect(pool.dueForForward(2 * REFORWARD_AFTER_MS + 100, 10)).to.deep.equal([])
    expect(hashes(pool.dueForForward(3 * REFORWARD_AFTER_MS + 100, 10))).to.deep.equal(hashes([txs[0]!, txs[2]!]))
    // A client resending a pending tx makes it due at once; the count per call is bounded.
    // ... also one that came from a peer: this node forwards it from now on.
    pool.forwardSoon(txs[2]!.hashHex, 4 * REFORWARD_AFTER_MS)
    pool.forwardSoon(txs[1]!.hashHex, 4 * REFORWARD_AFTER_MS)
    pool.forwardSoon('not-pending', 4 * REFORWARD_AFTER_MS)
    expect(hashes(pool.dueForForward(4 * REFORWARD_AFTER_MS, 10))).to.deep.equal(hashes([txs[2]!, txs[1]!]))
    pool.remove([txs[0]!.hashHex, txs[1]!.hashHex])
    expect(hashes(pool.dueForForward(1_000_000, 1))).to.deep.equal(hashes([txs[2]!]))
    expect(pool.dueForForward(2_000_000, 10)).to.have.length(1)
    // The wait stops doubling at its bound.
    expect(pool.dueForForward(2_000_000 + REFORWARD_AFTER_MS_MAX - 1, 10)).to.have.length(0)
    expect(pool.dueForForward(2_000_000 + REFORWARD_AFTER_MS_MAX, 10)).to.have.length(1)
  })
})
