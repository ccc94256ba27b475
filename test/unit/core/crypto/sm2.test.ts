import {expect} from 'chai'
import smCrypto from 'sm-crypto'
import {sm2 as smCryptoV2} from 'sm-crypto-v2'
import {fromHex, toHex, utf8} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  addressOf, createSigner, ecdh, generateKeyPair, publicKeyFromPrivate, sign, validatePrivateKey,
  validatePublicKey, verify,
} from '../../../../src/core/crypto/sm2.js'
import {CURVE, signerIdHash} from '../../../../src/core/crypto/sm2-keys.js'
import {PublicPointCache} from '../../../../src/core/crypto/sm2-point-cache.js'
import {verifyUncached} from '../../../../src/core/crypto/sm2-signature.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

function expectCode(action: () => unknown, code: string): void {
  expect(action).to.throw(WichainError).with.property('code', code)
}

const ORDER_MINUS_1 = fromHex((BigInt(`0x${CURVE.n}`) - 1n).toString(16))

describe('core/crypto/sm2', () => {
  const keyPair = generateKeyPair()
  const message = utf8('工伤认定 record 42')

  describe('keys', () => {
    it('generates 32-byte private keys whose public key is 0x04 || X || Y on the curve', () => {
      expect(keyPair.privateKey).to.have.length(32)
      expect(keyPair.publicKey).to.have.length(65)
      expect(keyPair.publicKey[0]).to.equal(4)
      expect(toHex(publicKeyFromPrivate(keyPair.privateKey))).to.equal(toHex(keyPair.publicKey))
      expect(() => validatePublicKey(keyPair.publicKey)).to.not.throw()
      expect(toHex(generateKeyPair().privateKey)).to.not.equal(toHex(keyPair.privateKey))
    })

    it('rejects private keys of the wrong length or outside 1..n-2', () => {
      expectCode(() => validatePrivateKey(new Uint8Array(31)), 'KEY_ERROR')
      expectCode(() => validatePrivateKey(new Uint8Array(32)), 'KEY_ERROR')
      expectCode(() => validatePrivateKey(ORDER_MINUS_1), 'KEY_ERROR')
      expectCode(() => publicKeyFromPrivate(new Uint8Array(33).fill(1)), 'KEY_ERROR')
      expect(() => validatePrivateKey(Uint8Array.of(...new Array(31).fill(0), 1))).to.not.throw()
    })

    it('rejects public keys that are compressed, short, or off the curve', () => {
      expectCode(() => validatePublicKey(keyPair.publicKey.subarray(0, 64)), 'KEY_ERROR')
      expectCode(() => validatePublicKey(fromHex(smCryptoV2.compressPublicKeyHex(toHex(keyPair.publicKey)))), 'KEY_ERROR')
      expectCode(() => validatePublicKey(flipBit(keyPair.publicKey, 8 * 64 + 1)), 'KEY_ERROR')
      expectCode(() => validatePublicKey(new Uint8Array(65).fill(4)), 'KEY_ERROR')
    })

    it('computes Z for the default ID exactly as sm-crypto-v2 does', () => {
      expect(toHex(signerIdHash(keyPair.publicKey))).to.equal(toHex(smCryptoV2.getZ(toHex(keyPair.publicKey))))
    })

    it('derives the address from the first 20 bytes of SM3(public key)', () => {
      expect(addressOf(keyPair.publicKey)).to.equal(toHex(sm3(keyPair.publicKey)).slice(0, 40))
      expect(addressOf(keyPair.publicKey)).to.match(/^[0-9a-f]{40}$/)
      expectCode(() => addressOf(new Uint8Array(65)), 'KEY_ERROR')
    })
  })

  describe('sign and verify', () => {
    const signature = sign(keyPair.privateKey, message)

    it('produces 64-byte r || s that verifies, with or without the public key given', () => {
      expect(signature).to.have.length(64)
      expect(verify(keyPair.publicKey, message, signature)).to.equal(true)
      const second = sign(keyPair.privateKey, message, keyPair.publicKey)
      expect(toHex(second)).to.not.equal(toHex(signature)) // random k
      expect(verify(keyPair.publicKey, message, second)).to.equal(true)
      expect(verify(keyPair.publicKey, new Uint8Array(0), sign(keyPair.privateKey, new Uint8Array(0)))).to.equal(true)
    })

    it('fails when the message, the signature or the key changes', () => {
      expect(verify(keyPair.publicKey, flipBit(message, 0), signature)).to.equal(false)
      expect(verify(keyPair.publicKey, utf8('工伤认定 record 43'), signature)).to.equal(false)
      for (const bit of [0, 100, 255, 256, 400, 511]) expect(verify(keyPair.publicKey, message, flipBit(signature, bit))).to.equal(false)
      expect(verify(generateKeyPair().publicKey, message, signature)).to.equal(false)
    })

    it('returns false, never throws, on malformed keys and signatures', () => {
      const malformed: [unknown, unknown, unknown][] = [
        [keyPair.publicKey, message, signature.subarray(0, 63)],
        [keyPair.publicKey, message, new Uint8Array(64)],
        [keyPair.publicKey, message, new Uint8Array(64).fill(0xff)],
        [keyPair.publicKey, message, Uint8Array.of(...ORDER_MINUS_1, ...new Uint8Array(32))],
        [keyPair.publicKey.subarray(1), message, signature],
        [flipBit(keyPair.publicKey, 8 * 40), message, signature],
        [new Uint8Array(65).fill(4), message, signature],
        ['04aa', message, signature],
        [keyPair.publicKey, 'text', signature],
        [undefined, undefined, undefined],
      ]
      for (const [publicKey, input, candidate] of malformed) {
        expect(verify(publicKey as Uint8Array, input as Uint8Array, candidate as Uint8Array)).to.equal(false)
        expect(verifyUncached(publicKey as Uint8Array, input as Uint8Array, candidate as Uint8Array)).to.equal(false)
      }
    })

    it('gives the same answers through the precompute cache as without it', () => {
      const other = generateKeyPair()
      const otherSignature = sign(other.privateKey, message)
      for (let round = 0; round < 4; round++) {
        expect(verify(other.publicKey, message, otherSignature)).to.equal(true)
        expect(verify(other.publicKey, flipBit(message, round), otherSignature)).to.equal(false)
      }
      expect(verifyUncached(other.publicKey, message, otherSignature)).to.equal(true)
    })

    it('throws KEY_ERROR when signing with an invalid private key', () => {
      expectCode(() => sign(new Uint8Array(32), message), 'KEY_ERROR')
      expectCode(() => sign(keyPair.privateKey, message, new Uint8Array(10)), 'KEY_ERROR')
    })
  })

  describe('cross-checks with independent implementations', () => {
    it('sm-crypto (jsbn) verifies our signatures, and rejects a tampered one', () => {
      const signature = sign(keyPair.privateKey, message)
      const publicHex = toHex(keyPair.publicKey)
      expect(smCrypto.sm2.doVerifySignature(Array.from(message), toHex(signature), publicHex, {hash: true})).to.equal(true)
      expect(smCrypto.sm2.doVerifySignature(Array.from(message), toHex(flipBit(signature, 9)), publicHex, {hash: true})).to.equal(false)
    })

    it('we verify signatures made by sm-crypto', () => {
      const signatureHex = smCrypto.sm2.doSignature(Array.from(message), toHex(keyPair.privateKey), {hash: true})
      expect(verify(keyPair.publicKey, message, fromHex(signatureHex))).to.equal(true)
    })
  })

  describe('signer', () => {
    it('signs with the bound key and exposes its address', () => {
      const signer = createSigner(keyPair)
      expect(toHex(signer.publicKey)).to.equal(toHex(keyPair.publicKey))
      expect(signer.address).to.equal(addressOf(keyPair.publicKey))
      expect(verify(keyPair.publicKey, message, signer.sign(message))).to.equal(true)
    })

    it('refuses a key pair whose halves do not belong together', () => {
      expectCode(() => createSigner({privateKey: keyPair.privateKey, publicKey: generateKeyPair().publicKey}), 'KEY_ERROR')
    })
  })

  describe('ecdh', () => {
    it('gives both sides the same 32-byte X coordinate, equal to sm-crypto-v2 point arithmetic', () => {
      const peer = generateKeyPair()
      const ours = ecdh(keyPair.privateKey, peer.publicKey)
      expect(ours).to.have.length(32)
      expect(toHex(ecdh(peer.privateKey, keyPair.publicKey))).to.equal(toHex(ours))
      // d·(e·G) computed the long way: the peer's private key times our public point.
      const point = smCryptoV2.precomputePublicKey(toHex(keyPair.publicKey), 2).multiply(BigInt(`0x${toHex(peer.privateKey)}`))
      expect(point.toAffine().x.toString(16).padStart(64, '0')).to.equal(toHex(ours))
      expect(toHex(ecdh(keyPair.privateKey, generateKeyPair().publicKey))).to.not.equal(toHex(ours))
    })

    it('rejects an invalid peer key', () => {
      expectCode(() => ecdh(keyPair.privateKey, flipBit(keyPair.publicKey, 8 * 50)), 'KEY_ERROR')
    })
  })

  describe('PublicPointCache', () => {
    it('precomputes a key on its second sighting and evicts the least recently used', () => {
      const cache = new PublicPointCache(2, 8)
      const [a, b, c] = [generateKeyPair(), generateKeyPair(), generateKeyPair()].map((pair) => toHex(pair.publicKey))
      expect(cache.lookup(a!)).to.equal(a) // first sighting: plain hex, no precompute
      expect(cache.precomputedCount).to.equal(0)
      const point = cache.lookup(a!)
      expect(point).to.not.be.a('string')
      expect(cache.lookup(a!)).to.equal(point)
      for (const key of [b!, b!, c!, c!]) cache.lookup(key)
      expect(cache.precomputedCount).to.equal(2)
      expect(cache.lookup(a!)).to.equal(a) // evicted, and counted as a fresh first sighting
    })

    it('throws on a key that is not on the curve once it would precompute it', () => {
      const cache = new PublicPointCache(2, 8)
      const bad = toHex(flipBit(keyPair.publicKey, 8 * 60))
      cache.lookup(bad)
      expect(() => cache.lookup(bad)).to.throw()
    })
  })
})
