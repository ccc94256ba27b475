import {expect} from 'chai'
import {fromHex, toHex} from '../../../../src/core/bytes.js'
import {encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {addressOf, createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  createTx, decodeTx, encodeTxBody, TX_LIMITS, txFromDocument, txToDocument, txToJson, verifyTxSignature, type Tx, type TxRequest,
} from '../../../../src/core/types/tx.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'

function expectCode(action: () => unknown, code: string, message?: RegExp): void {
  const assertion = expect(action).to.throw(WichainError)
  assertion.with.property('code', code)
  if (message !== undefined) expect(action).to.throw(message)
}

const signer = createSigner(generateKeyPair())
const otherSigner = createSigner(generateKeyPair())
const NONCE = fromHex('00112233445566778899aabbccddeeff')

const REQUEST: TxRequest = Object.freeze({
  chainId: 'injury-prov',
  contract: 'evidence',
  method: 'put',
  args: {key: 'case-1', hash: 'ab'.repeat(32)},
  expiry: 100,
  nonce: NONCE,
  timestamp: 1_700_000_000_000,
})

/** The document of `tx` with `change` applied to its body (the signature kept). */
function bodyChanged(tx: Tx, change: Record<string, unknown>): {body: Record<string, unknown>; signature: Uint8Array} {
  const document = txToDocument(tx) as {body: Record<string, unknown>; signature: Uint8Array}
  return {body: {...document.body, ...change}, signature: document.signature}
}

function documentBytes(document: unknown): Uint8Array {
  return encodeCanonical(document)
}

describe('core/types/tx', () => {
  const tx = createTx(REQUEST, signer)

  describe('hash', () => {
    it('is SM3 of the canonical body bytes and stable for the same body', () => {
      const again = createTx(REQUEST, signer)
      expect(again.hashHex).to.equal(tx.hashHex)
      expect(toHex(tx.hash)).to.equal(toHex(sm3(encodeTxBody(tx.body))))
      expect(tx.hashHex).to.match(/^[0-9a-f]{64}$/)
      // SM2 signatures are randomized, so the hash is not over the signature.
      expect(toHex(again.signature)).to.not.equal(toHex(tx.signature))
    })

    it('changes when any body field changes', () => {
      const variants: Array<[string, TxRequest, typeof signer]> = [
        ['chainId', {...REQUEST, chainId: 'injury-city'}, signer],
        ['sender', REQUEST, otherSigner],
        ['nonce', {...REQUEST, nonce: fromHex('ff112233445566778899aabbccddeeff')}, signer],
        ['expiry', {...REQUEST, expiry: 101}, signer],
        ['contract', {...REQUEST, contract: 'evidencf'}, signer],
        ['method', {...REQUEST, method: 'get'}, signer],
        ['args', {...REQUEST, args: {key: 'case-2', hash: 'ab'.repeat(32)}}, signer],
        ['args text spacing', {...REQUEST, args: JSON.stringify(REQUEST.args, null, 1)}, signer],
        ['timestamp', {...REQUEST, timestamp: REQUEST.timestamp! + 1}, signer],
      ]
      const hashes = new Set([tx.hashHex])
      for (const [field, request, by] of variants) {
        const variant = createTx(request, by)
        expect(variant.hashHex, field).to.not.equal(tx.hashHex)
        hashes.add(variant.hashHex)
      }
      expect(hashes.size).to.equal(variants.length + 1)
    })

    it('draws a fresh 16-byte nonce when none is given', () => {
      const {nonce: _nonce, ...withoutNonce} = REQUEST
      const a = createTx(withoutNonce, signer)
      const b = createTx(withoutNonce, signer)
      expect(a.body.nonce).to.have.length(TX_LIMITS.nonceBytes)
      expect(a.hashHex).to.not.equal(b.hashHex)
    })
  })

  describe('signature', () => {
    it('verifies for the sender', () => {
      expect(verifyTxSignature(tx)).to.equal(true)
      expect(tx.senderAddress).to.equal(signer.address)
      expect(tx.senderAddress).to.equal(addressOf(signer.publicKey))
    })

    it('fails when the signature is tampered with', () => {
      for (const position of [0, 31, 32, 63]) {
        const signature = new Uint8Array(tx.signature)
        signature[position]! ^= 0x01
        const tampered = txFromDocument({body: txToDocument(tx).body, signature})
        expect(verifyTxSignature(tampered), `byte ${position}`).to.equal(false)
      }
      const zero = txFromDocument({body: txToDocument(tx).body, signature: new Uint8Array(64)})
      expect(verifyTxSignature(zero)).to.equal(false)
    })

    it('fails when any body field is tampered with', () => {
      const changes: Array<Record<string, unknown>> = [
        {chainId: 'other'},
        {sender: otherSigner.publicKey},
        {nonce: new Uint8Array(16)},
        {expiry: 99},
        {contract: 'other'},
        {method: 'get'},
        {args: '{}'},
        {timestamp: 0},
      ]
      for (const change of changes) {
        const tampered = txFromDocument(bodyChanged(tx, change))
        expect(tampered.hashHex).to.not.equal(tx.hashHex)
        expect(verifyTxSignature(tampered), Object.keys(change)[0]).to.equal(false)
      }
    })

    it('does not verify a signature made by another key over the same body', () => {
      const forged = txFromDocument({body: txToDocument(tx).body, signature: otherSigner.sign(encodeTxBody(tx.body))})
      expect(verifyTxSignature(forged)).to.equal(false)
    })
  })

  describe('decodeTx', () => {
    it('round-trips through its bytes', () => {
      const decoded = decodeTx(tx.bytes)
      expect(decoded.hashHex).to.equal(tx.hashHex)
      expect(toHex(decoded.bytes)).to.equal(toHex(tx.bytes))
      expect(toHex(decoded.signature)).to.equal(toHex(tx.signature))
      expect(decoded.senderAddress).to.equal(tx.senderAddress)
      expect(decoded.body).to.deep.equal(tx.body)
      expect(verifyTxSignature(decoded)).to.equal(true)
    })

    it('hashes the body span of its bytes exactly as the re-encoded body, for any args and sizes', () => {
      const argsCases = ['{}', '{"name":"张三","note":"工伤认定 ✓"}', JSON.stringify({blob: 'x'.repeat(300)}), JSON.stringify({n: 1, list: [1, 2, 3]})]
      for (const args of argsCases) {
        const made = createTx({...REQUEST, args, contract: 'c'.repeat(40)}, signer)
        const decoded = decodeTx(made.bytes)
        expect(decoded.hashHex).to.equal(toHex(sm3(encodeTxBody(decoded.body))))
        expect(decoded.hashHex).to.equal(made.hashHex)
        expect(verifyTxSignature(decoded)).to.equal(true)
      }
    })

    it('keeps args as the exact JSON text that was signed', () => {
      const text = '{ "b": 1,\n "a": "工伤" }'
      const spaced = createTx({...REQUEST, args: text}, signer)
      expect(decodeTx(spaced.bytes).body.args).to.equal(text)
      expect(txToJson(spaced).args).to.deep.equal({a: '工伤', b: 1})
    })

    it('refuses junk bytes', () => {
      for (const hex of ['', '00', 'a0', 'ff', '8100', toHex(tx.bytes).slice(0, -2), `${toHex(tx.bytes)}00`]) {
        expect(() => decodeTx(fromHex(hex)), hex).to.throw(WichainError).with.property('code', 'DECODE_ERROR')
      }
      expectCode(() => decodeTx(null as unknown as Uint8Array), 'DECODE_ERROR')
      expectCode(() => decodeTx(encodeCanonical([txToDocument(tx)])), 'DECODE_ERROR', /tx: expected a map/)
    })

    it('refuses wrong byte lengths, naming the field', () => {
      const shortSender = tx.body.sender.subarray(0, 64)
      const longSender = new Uint8Array([...tx.body.sender, 0])
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {sender: shortSender}))), 'DECODE_ERROR', /sender: expected 65 bytes/)
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {sender: longSender}))), 'DECODE_ERROR', /sender: expected 65 bytes/)
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {nonce: new Uint8Array(15)}))), 'DECODE_ERROR', /nonce: expected 16 bytes/)
      const document = txToDocument(tx)
      for (const length of [0, 63, 65]) {
        expectCode(() => decodeTx(documentBytes({...document, signature: new Uint8Array(length)})), 'DECODE_ERROR', /signature: expected 64 bytes/)
      }
    })

    it('refuses a 65-byte sender that is not a public key', () => {
      const junkKey = new Uint8Array(65).fill(7)
      junkKey[0] = 4
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {sender: junkKey}))), 'KEY_ERROR')
    })

    it('refuses invalid names and chain ids', () => {
      for (const name of ['', '1abc', 'a b', 'a/b', 'x'.repeat(TX_LIMITS.nameLengthMax + 1), 'é']) {
        expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {contract: name}))), name.length > 64 ? 'DECODE_ERROR' : 'INVALID_TX', /contract/)
        expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {method: name}))), name.length > 64 ? 'DECODE_ERROR' : 'INVALID_TX', /method/)
      }
      for (const chainId of ['', 'Upper', '-lead', 'a b', 'a.b']) {
        expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {chainId}))), 'INVALID_TX', /chainId/)
      }
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {chainId: 'a'.repeat(65)}))), 'DECODE_ERROR', /chainId/)
    })

    it('refuses args that are not JSON text', () => {
      for (const args of ['', '{', 'undefined', "{'a':1}", 'NaN']) {
        expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {args}))), 'INVALID_TX', /not valid JSON/)
      }
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {args: {a: 1}}))), 'DECODE_ERROR', /args: expected a string/)
    })

    it('refuses oversize args and oversize txs', () => {
      const bigText = JSON.stringify('x'.repeat(TX_LIMITS.argsBytesMax))
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {args: bigText}))), 'DECODE_ERROR', /args: longer than/)
      // Within the character limit but over the byte limit (3 bytes per character in UTF-8).
      const wideText = JSON.stringify('工'.repeat(TX_LIMITS.argsBytesMax / 2))
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {args: wideText}))), 'PAYLOAD_TOO_LARGE')
      expectCode(() => createTx({...REQUEST, args: wideText}, signer), 'PAYLOAD_TOO_LARGE')
      expectCode(() => decodeTx(new Uint8Array(TX_LIMITS.bytesMax + 1)), 'PAYLOAD_TOO_LARGE')
    })

    it('refuses extra, missing and mistyped fields', () => {
      const document = txToDocument(tx) as {body: Record<string, unknown>; signature: Uint8Array}
      expectCode(() => decodeTx(documentBytes({...document, extra: 1})), 'DECODE_ERROR', /tx: unexpected field "extra"/)
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {gas: 5}))), 'DECODE_ERROR', /tx body: unexpected field "gas"/)
      const {timestamp: _timestamp, ...withoutTimestamp} = document.body
      expectCode(() => decodeTx(documentBytes({...document, body: withoutTimestamp})), 'DECODE_ERROR', /missing field "timestamp"/)
      expectCode(() => decodeTx(documentBytes({body: document.body})), 'DECODE_ERROR', /missing field "signature"/)
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {expiry: -1}))), 'DECODE_ERROR', /expiry/)
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {expiry: 1.5}))), 'DECODE_ERROR', /expiry/)
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {timestamp: '1'}))), 'DECODE_ERROR', /timestamp/)
      expectCode(() => decodeTx(documentBytes(bodyChanged(tx, {sender: toHex(tx.body.sender)}))), 'DECODE_ERROR', /sender: expected bytes/)
    })
  })

  describe('createTx', () => {
    it('validates the request like decodeTx does', () => {
      expectCode(() => createTx({...REQUEST, chainId: 'Bad'}, signer), 'INVALID_TX')
      expectCode(() => createTx({...REQUEST, method: 'no way'}, signer), 'INVALID_TX')
      expectCode(() => createTx({...REQUEST, args: '{'}, signer), 'INVALID_TX')
      expectCode(() => createTx({...REQUEST, expiry: -1}, signer), 'DECODE_ERROR')
      expectCode(() => createTx({...REQUEST, nonce: new Uint8Array(8)}, signer), 'DECODE_ERROR')
      expectCode(() => createTx({...REQUEST, args: '{"a":"\ud800"}'}, signer), 'INVALID_TX', /lone surrogate/)
      expectCode(() => createTx({...REQUEST, args: '{"a":"\\ud800"}'}, signer), 'INVALID_TX', /lone surrogate/)
    })

    it('builds frozen txs that keep their own copies of the byte fields', () => {
      const nonce = new Uint8Array(NONCE)
      const built = createTx({...REQUEST, nonce}, signer)
      nonce.fill(0)
      expect(toHex(built.body.nonce)).to.equal(toHex(NONCE))
      expect(toHex(sm3(encodeTxBody(built.body)))).to.equal(built.hashHex)
      expect(Object.isFrozen(built)).to.equal(true)
      expect(Object.isFrozen(built.body)).to.equal(true)
      expect(toHex(decodeTx(built.bytes).bytes)).to.equal(toHex(built.bytes))
    })

    it('defaults args to {} and accepts JSON text as is', () => {
      const {args: _args, ...withoutArgs} = REQUEST
      expect(createTx(withoutArgs, signer).body.args).to.equal('{}')
      expect(createTx({...REQUEST, args: '{"a": [1, 2]}'}, signer).body.args).to.equal('{"a": [1, 2]}')
      expect(createTx({...REQUEST, args: null}, signer).body.args).to.equal('{}')
    })

    it('refuses args no node would admit: not an object, duplicate keys, too deep, unsafe numbers', () => {
      for (const args of ['[1,2]', '"text"', 'null', '1']) expectCode(() => createTx({...REQUEST, args}, signer), 'INVALID_TX', /object at the top level/)
      expectCode(() => createTx({...REQUEST, args: '{"key":"a","key":"b"}'}, signer), 'INVALID_TX', /key "key" twice/)
      expectCode(() => createTx({...REQUEST, args: `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`}, signer), 'INVALID_TX', /TX_ARGS_DEPTH_MAX/)
      expectCode(() => createTx({...REQUEST, args: {n: 2 ** 53}}, signer), 'INVALID_TX', /2\^53/)
    })
  })

  it('txToJson shows every field in hex or plain JSON', () => {
    const json = txToJson(tx)
    expect(json).to.deep.equal({
      txHash: tx.hashHex,
      chainId: 'injury-prov',
      sender: toHex(signer.publicKey),
      senderAddress: signer.address,
      nonce: toHex(NONCE),
      expiry: 100,
      contract: 'evidence',
      method: 'put',
      args: REQUEST.args,
      timestamp: REQUEST.timestamp,
      signature: toHex(tx.signature),
    })
  })
})
