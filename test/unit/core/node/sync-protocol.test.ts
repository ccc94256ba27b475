/** Sync and forwarding payloads: round trips, limits, and junk refused with DECODE_ERROR. */
import {expect} from 'chai'
import {encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  decodeBlocksAnswer, decodeStatusAnswer, decodeSyncQuery, decodeTxBatch, encodeBlocksAnswer, encodeStatusAnswer, encodeSyncQuery, encodeTxBatch,
  SYNC_BLOCKS_PER_ANSWER_MAX, TX_BATCH_TXS_MAX,
} from '../../../../src/core/node/sync-protocol.js'

const refuses = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    return (error as WichainError).code
  }
  throw new Error('expected a refusal')
}

describe('core/node/sync-protocol', () => {
  it('round-trips queries and caps the blocks asked for', () => {
    expect(decodeSyncQuery(encodeSyncQuery({type: 'status'}))).to.deep.equal({type: 'status'})
    expect(decodeSyncQuery(encodeSyncQuery({type: 'blocks', from: 7, count: 10_000}))).to.deep.equal({type: 'blocks', from: 7, count: SYNC_BLOCKS_PER_ANSWER_MAX})
    expect(refuses(() => decodeSyncQuery(encodeCanonical({type: 'blocks', from: -1, count: 1})))).to.equal('DECODE_ERROR')
    expect(refuses(() => decodeSyncQuery(encodeCanonical({type: 'other'})))).to.equal('DECODE_ERROR')
    expect(refuses(() => decodeSyncQuery(new Uint8Array([0xff, 0x00])))).to.equal('DECODE_ERROR')
  })

  it('round-trips status and block answers', () => {
    const hash = new Uint8Array(32).fill(3)
    expect(decodeStatusAnswer(encodeStatusAnswer({height: 5, hash}))).to.deep.equal({height: 5, hash})
    const block = {height: 2, payload: new Uint8Array([1, 2, 3]), certificate: {kind: 'pbft' as const, height: 2, blockHash: hash, round: 1, signatures: [{signer: '04' + 'ab'.repeat(64), signature: new Uint8Array(64).fill(9)}]}}
    const [decoded] = decodeBlocksAnswer(encodeBlocksAnswer([block]))
    expect(decoded!.height).to.equal(2)
    expect(decoded!.certificate.signatures[0]!.signer).to.equal(block.certificate.signatures[0]!.signer)
    expect(refuses(() => decodeStatusAnswer(encodeCanonical({height: 1, hash: new Uint8Array(31)})))).to.equal('DECODE_ERROR')
  })

  it('round-trips forwarded tx batches and refuses oversize or mistyped ones', () => {
    const txs = [new Uint8Array([1]), new Uint8Array([2, 3])]
    expect(decodeTxBatch(encodeTxBatch(txs))).to.deep.equal(txs)
    expect(refuses(() => decodeTxBatch(encodeCanonical(Array.from({length: TX_BATCH_TXS_MAX + 1}, () => new Uint8Array([1])))))).to.equal('DECODE_ERROR')
    expect(refuses(() => decodeTxBatch(encodeCanonical(['not bytes'])))).to.equal('DECODE_ERROR')
  })
})
