import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import {decodeCanonical, encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  BLOCK_LIMITS, checkBlockBody, createBlock, decodeBlock, decodeHeader, encodeBlock, encodeBlockDocument, encodeHeader, hashHeader, headerToJson,
  receiptRootOf, txRootOf, type BlockHeader,
} from '../../../../src/core/types/block.js'
import {EMPTY_ROOT, merkleRoot} from '../../../../src/core/types/merkle.js'
import {createReceipt, encodeReceipt} from '../../../../src/core/types/receipt.js'
import {createTx, txToDocument, txFromDocument, type Tx} from '../../../../src/core/types/tx.js'

function expectCode(action: () => unknown, code: string, message?: RegExp): void {
  expect(action).to.throw(WichainError).with.property('code', code)
  if (message !== undefined) expect(action).to.throw(message)
}

const signer = createSigner(generateKeyPair())
const proposer = createSigner(generateKeyPair())

function makeTxs(count: number): Tx[] {
  return Array.from({length: count}, (_, index) =>
    createTx({chainId: 'injury-prov', contract: 'evidence', method: 'put', args: {key: `k${index}`}, expiry: 10, timestamp: 1000 + index}, signer))
}

function makeHeader(txs: readonly Tx[], change: Partial<BlockHeader> = {}): BlockHeader {
  return {
    chainId: 'injury-prov',
    height: 7,
    prevHash: sm3(new Uint8Array([1])),
    txRoot: txRootOf(txs),
    receiptRoot: sm3(new Uint8Array([2])),
    stateRoot: sm3(new Uint8Array([3])),
    timestamp: 1_700_000_000_000,
    proposer: proposer.publicKey,
    round: 2,
    txCount: txs.length,
    ...change,
  }
}

/** Block bytes with the header document replaced by `header` (which need not match the txs). */
function blockBytes(header: BlockHeader, txs: readonly Tx[]): Uint8Array {
  return encodeBlock(createBlock(header, txs))
}

describe('core/types/block', () => {
  const txs = makeTxs(3)
  const header = makeHeader(txs)
  const block = createBlock(header, txs)

  describe('header hash', () => {
    it('is SM3 of the canonical header bytes and stable', () => {
      expect(toHex(block.hash)).to.equal(toHex(sm3(encodeHeader(header))))
      expect(block.hashHex).to.equal(toHex(hashHeader({...header})))
      expect(createBlock(makeHeader(txs), txs).hashHex).to.equal(block.hashHex)
      // Field order of the input object does not matter.
      const reversed = Object.fromEntries(Object.entries(header).reverse()) as unknown as BlockHeader
      expect(toHex(hashHeader(reversed))).to.equal(block.hashHex)
    })

    it('changes with any header field', () => {
      const changes: Array<Partial<BlockHeader>> = [
        {chainId: 'injury-city'},
        {height: 8},
        {prevHash: sm3(new Uint8Array([9]))},
        {txRoot: EMPTY_ROOT},
        {receiptRoot: EMPTY_ROOT},
        {stateRoot: EMPTY_ROOT},
        {timestamp: header.timestamp + 1},
        {proposer: signer.publicKey},
        {proposer: new Uint8Array(0)},
        {round: 3},
        {txCount: 4},
      ]
      const hashes = new Set([block.hashHex])
      for (const change of changes) hashes.add(toHex(hashHeader(makeHeader(txs, change))))
      expect(hashes.size).to.equal(changes.length + 1)
    })

    it('decodes a header back from its bytes', () => {
      const decoded = decodeHeader(encodeHeader(header))
      expect(decoded).to.deep.equal(header)
      expect(Object.isFrozen(decoded)).to.equal(true)
    })
  })

  describe('encode / decode', () => {
    it('round-trips a block with txs', () => {
      const decoded = decodeBlock(encodeBlock(block))
      expect(decoded.hashHex).to.equal(block.hashHex)
      expect(decoded.header).to.deep.equal(block.header)
      expect(decoded.txs.map((tx) => tx.hashHex)).to.deep.equal(txs.map((tx) => tx.hashHex))
      expect(toHex(encodeBlock(decoded))).to.equal(toHex(encodeBlock(block)))
      expect(Object.isFrozen(decoded.txs)).to.equal(true)
    })

    it('splices exactly the bytes of encoding the whole document, for every array-length form', () => {
      const many = makeTxs(300)
      for (const count of [0, 1, 23, 24, 255, 256, 300]) {
        const some = many.slice(0, count)
        const made = createBlock(makeHeader(some), some)
        expect(toHex(encodeBlock(made)), `${count} txs`).to.equal(toHex(encodeBlockDocument(made)))
      }
    })

    it('round-trips an empty block whose txRoot is the empty root', () => {
      const empty = createBlock(makeHeader([]), [])
      expect(toHex(empty.header.txRoot)).to.equal(toHex(EMPTY_ROOT))
      expect(decodeBlock(encodeBlock(empty)).hashHex).to.equal(empty.hashHex)
    })

    it('refuses a body whose tx count differs from the header', () => {
      expectCode(() => decodeBlock(blockBytes(makeHeader(txs, {txCount: 2}), txs)), 'DECODE_ERROR', /header says 2 txs, body has 3/)
      expectCode(() => decodeBlock(blockBytes(header, txs.slice(0, 2))), 'DECODE_ERROR', /body has 2/)
    })

    it('refuses a body whose txs do not match txRoot', () => {
      const reordered = [txs[1]!, txs[0]!, txs[2]!]
      expectCode(() => decodeBlock(blockBytes(header, reordered)), 'CORRUPT_DATA', /txRoot/)
      const replaced = [txs[0]!, txs[1]!, makeTxs(4)[3]!]
      expectCode(() => decodeBlock(blockBytes(header, replaced)), 'CORRUPT_DATA', /txRoot/)
      expectCode(() => checkBlockBody(makeHeader(txs, {txRoot: EMPTY_ROOT}), txs), 'CORRUPT_DATA')
    })

    it('refuses malformed headers and bodies, naming the field', () => {
      const document = decodeCanonical(encodeBlock(block), 'block') as {header: Record<string, unknown>; txs: unknown[]}
      const withHeader = (change: Record<string, unknown>) => encodeCanonical({...document, header: {...document.header, ...change}})
      expectCode(() => decodeBlock(withHeader({prevHash: new Uint8Array(31)})), 'DECODE_ERROR', /header\.prevHash: expected 32 bytes/)
      expectCode(() => decodeBlock(withHeader({txRoot: new Uint8Array(33)})), 'DECODE_ERROR', /header\.txRoot/)
      expectCode(() => decodeBlock(withHeader({proposer: new Uint8Array(66)})), 'DECODE_ERROR', /header\.proposer/)
      expectCode(() => decodeBlock(withHeader({height: -1})), 'DECODE_ERROR', /header\.height/)
      expectCode(() => decodeBlock(withHeader({chainId: 5})), 'DECODE_ERROR', /header\.chainId/)
      expectCode(() => decodeBlock(withHeader({extra: 0})), 'DECODE_ERROR', /block header: unexpected field "extra"/)
      const {round: _round, ...withoutRound} = document.header
      expectCode(() => decodeBlock(encodeCanonical({...document, header: withoutRound})), 'DECODE_ERROR', /missing field "round"/)
      expectCode(() => decodeBlock(encodeCanonical({...document, extra: 1})), 'DECODE_ERROR', /block: unexpected field/)
      expectCode(() => decodeBlock(encodeCanonical({...document, txs: {}})), 'DECODE_ERROR', /block\.txs: expected an array/)
      expectCode(() => decodeBlock(encodeCanonical({...document, txs: [1]})), 'DECODE_ERROR', /tx: expected a map/)
      const tooMany = new Array(BLOCK_LIMITS.txsMax + 1).fill(0)
      expectCode(() => decodeBlock(encodeCanonical({...document, txs: tooMany})), 'DECODE_ERROR', /array longer than/)
    })

    it('refuses junk bytes with WichainErrors only', () => {
      const bytes = encodeBlock(block)
      for (const junk of [new Uint8Array(0), new Uint8Array([0xa0]), bytes.subarray(0, bytes.length - 1), new Uint8Array([...bytes, 0])]) {
        expect(() => decodeBlock(junk)).to.throw(WichainError).with.property('code', 'DECODE_ERROR')
      }
    })

    it('a one-byte change either fails with a WichainError or changes what the block commits to', () => {
      const bytes = encodeBlock(block)
      for (let position = 0; position < bytes.length; position += 5) {
        const tampered = new Uint8Array(bytes)
        tampered[position]! ^= 0x5a
        let decoded
        try {
          decoded = decodeBlock(tampered)
        } catch (error) {
          expect(error, `byte ${position}`).to.be.instanceOf(WichainError)
          continue
        }
        expect(toHex(encodeBlock(decoded))).to.equal(toHex(tampered))
        // A changed header is another block. Under the same hash the tx bodies are the same: the
        // header commits to tx hashes (bodies); signatures are checked per tx on admission.
        if (decoded.hashHex === block.hashHex) {
          expect(decoded.txs.map((tx) => tx.hashHex), `byte ${position}`).to.deep.equal(txs.map((tx) => tx.hashHex))
        }
      }
    })

    it('accepts a tx document only in its canonical form', () => {
      const document = {header: decodeCanonical(encodeHeader(header), 'h'), txs: txs.map(txToDocument)}
      expect(toHex(encodeCanonical(document))).to.equal(toHex(encodeBlock(block)))
    })
  })

  describe('roots', () => {
    it('txRoot is the Merkle root of the full tx bytes (signatures included); receiptRoot of the encoded receipts', () => {
      expect(toHex(txRootOf(txs))).to.equal(toHex(merkleRoot(txs.map((tx) => tx.bytes))))
      const resigned = txs.map((tx, index) => (index === 0 ? txFromDocument({...txToDocument(tx), signature: txs[1]!.signature}) : tx))
      expect(toHex(txRootOf(resigned)), 'a swapped signature changes the root').to.not.equal(toHex(txRootOf(txs)))
      const receipts = txs.map((tx) => createReceipt({txHash: tx.hash, status: 'ok', result: 'null', error: null, gasUsed: 0, events: []}))
      expect(toHex(receiptRootOf(receipts))).to.equal(toHex(merkleRoot(receipts.map(encodeReceipt))))
      expect(toHex(receiptRootOf([]))).to.equal(toHex(EMPTY_ROOT))
    })
  })

  it('headerToJson shows every field, hashes in hex', () => {
    expect(headerToJson(header, block.hash)).to.deep.equal({
      chainId: 'injury-prov',
      height: 7,
      hash: block.hashHex,
      prevHash: toHex(header.prevHash),
      txRoot: toHex(header.txRoot),
      receiptRoot: toHex(header.receiptRoot),
      stateRoot: toHex(header.stateRoot),
      timestamp: header.timestamp,
      proposer: toHex(proposer.publicKey),
      round: 2,
      txCount: 3,
    })
  })
})
