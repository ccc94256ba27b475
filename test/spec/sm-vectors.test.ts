/**
 * Standard vectors (GB/T 32905 SM3, GB/T 32907 SM4, GB/T 32918 SM2) and OpenSSL 3.0 SM2
 * signatures from ../shared/vectors/sm.json, run against our crypto core.
 */
import {readFileSync} from 'node:fs'
import {expect} from 'chai'
import {fromHex, toHex, utf8} from '../../src/core/bytes.js'
import {
  publicKeyFromPrivate, publicKeyFromSpki, publicKeyToSpkiDer, signatureFromDer, signatureToDer, verify,
} from '../../src/core/crypto/sm2.js'
import {signWithNonce} from '../../src/core/crypto/sm2-signature.js'
import {sm3} from '../../src/core/crypto/sm3.js'
import {createSm4BlockCipher, sm4EncryptBlock} from '../../src/core/crypto/sm4.js'

interface Vectors {
  sm3: {msg_utf8: string; digest: string}[]
  sm4: {key: string; plain: string; cipher: string; rounds: number}[]
  sm2_sign: {id_utf8: string; private: string; public: string; msg_utf8: string; k: string; r: string; s: string; valid: boolean}[]
  sm2_openssl: {private: string; public: string; spki_der: string; msg_utf8: string; sig_der: string; valid: boolean}[]
}

const vectors = JSON.parse(readFileSync(new URL('../../../shared/vectors/sm.json', import.meta.url), 'utf8')) as Vectors

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

describe('SM vectors (shared/vectors/sm.json)', () => {
  it('has every group populated', () => {
    expect(vectors.sm3).to.not.be.empty
    expect(vectors.sm4).to.not.be.empty
    expect(vectors.sm2_sign).to.not.be.empty
    expect(vectors.sm2_openssl).to.not.be.empty
  })

  describe('SM3 (GB/T 32905)', () => {
    for (const [index, vector] of vectors.sm3.entries()) {
      it(`digest #${index} (${vector.msg_utf8.length} chars)`, () => {
        expect(toHex(sm3(utf8(vector.msg_utf8)))).to.equal(vector.digest)
      })
    }
  })

  describe('SM4 (GB/T 32907)', () => {
    for (const [index, vector] of vectors.sm4.entries()) {
      it(`block #${index}: ${vector.rounds} round(s)`, () => {
        const key = fromHex(vector.key)
        let block = fromHex(vector.plain)
        if (vector.rounds === 1) {
          block = sm4EncryptBlock(key, block)
        } else {
          // One live ECB context: ~2 s for 1,000,000 blocks on the reference machine.
          const cipher = createSm4BlockCipher(key)
          for (let round = 0; round < vector.rounds; round++) block = cipher.encryptBlock(block)
        }
        expect(toHex(block)).to.equal(vector.cipher)
      })
    }
  })

  describe('SM2 signature with a fixed k (GB/T 32918.2 example)', () => {
    for (const [index, vector] of vectors.sm2_sign.entries()) {
      const privateKey = fromHex(vector.private)
      const publicKey = fromHex(vector.public)
      const message = utf8(vector.msg_utf8)
      const signature = fromHex(vector.r + vector.s)

      it(`#${index}: uses the default ID and derives the published public key`, () => {
        expect(vector.id_utf8).to.equal('1234567812345678')
        expect(toHex(publicKeyFromPrivate(privateKey))).to.equal(vector.public)
      })

      it(`#${index}: signing with k reproduces r and s`, () => {
        expect(toHex(signWithNonce(privateKey, message, fromHex(vector.k)))).to.equal(vector.r + vector.s)
      })

      it(`#${index}: verify ${vector.valid ? 'accepts' : 'rejects'} (r, s), and rejects any single flipped bit`, () => {
        expect(verify(publicKey, message, signature)).to.equal(vector.valid)
        for (const bit of [0, 7, 255, 256, 300, 511]) {
          expect(verify(publicKey, message, flipBit(signature, bit)), `signature bit ${bit}`).to.equal(false)
        }
        expect(verify(publicKey, flipBit(message, 3), signature)).to.equal(false)
      })
    }
  })

  describe('SM2 signatures made by OpenSSL 3.0 pkeyutl', () => {
    for (const [index, vector] of vectors.sm2_openssl.entries()) {
      const publicKey = fromHex(vector.public)
      const der = fromHex(vector.sig_der)
      const message = utf8(vector.msg_utf8)

      it(`#${index}: ${vector.valid ? 'accepted' : 'rejected'} (message ${JSON.stringify(vector.msg_utf8.slice(0, 24))})`, () => {
        const signature = signatureFromDer(der)
        expect(toHex(signatureToDer(signature))).to.equal(vector.sig_der)
        expect(verify(publicKey, message, signature)).to.equal(vector.valid)
      })

      it(`#${index}: SPKI decodes to the public key and re-encodes to the same bytes`, () => {
        expect(toHex(publicKeyFromSpki(fromHex(vector.spki_der)))).to.equal(vector.public)
        expect(toHex(publicKeyToSpkiDer(publicKey))).to.equal(vector.spki_der)
        expect(toHex(publicKeyFromPrivate(fromHex(vector.private)))).to.equal(vector.public)
      })
    }
  })
})
