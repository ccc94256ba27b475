import {expect} from 'chai'
import fc from 'fast-check'
import {fromHex, toHex} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  generateKeyPair, privateKeyFromPem, privateKeyToPem, publicKeyFromSpki, publicKeyToPem, publicKeyToSpkiDer,
  signatureFromDer, signatureToDer,
} from '../../../../src/core/crypto/sm2.js'
import {decodePem, encodePem} from '../../../../src/core/crypto/pem.js'

function expectCode(action: () => unknown, code: string): void {
  expect(action).to.throw(WichainError).with.property('code', code)
}

const R = 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3'
const S = '31b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa'

describe('core/crypto DER and PEM', () => {
  describe('signature DER', () => {
    it('encodes minimal positive INTEGERs (0x00 before a high bit, leading zeros dropped)', () => {
      expect(toHex(signatureToDer(fromHex(R + S)))).to.equal(`3045022100${R}0220${S}`)
      const small = fromHex(`${'00'.repeat(31)}01${'00'.repeat(30)}7fff`)
      expect(toHex(signatureToDer(small))).to.equal('3007020101020' + '27fff')
      expect(toHex(signatureFromDer(signatureToDer(small)))).to.equal(toHex(small))
    })

    it('round-trips any 64 bytes (property)', () => {
      fc.assert(fc.property(fc.uint8Array({minLength: 64, maxLength: 64}), (signature) => {
        expect(toHex(signatureFromDer(signatureToDer(signature)))).to.equal(toHex(signature))
      }), {numRuns: 500, seed: 20260401})
    })

    it('never throws anything but DECODE_ERROR on random bytes (property)', () => {
      fc.assert(fc.property(fc.uint8Array({maxLength: 80}), (junk) => {
        try {
          const signature = signatureFromDer(junk)
          expect(toHex(signatureToDer(signature))).to.equal(toHex(junk)) // accepted ⇒ canonical
        } catch (error) {
          expect(error).to.be.instanceOf(WichainError).with.property('code', 'DECODE_ERROR')
        }
      }), {numRuns: 2000, seed: 20260402})
    })

    it('after any one-byte change to a valid encoding, either rejects it or reads a canonical one (property)', () => {
      const arbitrary = fc.tuple(fc.uint8Array({minLength: 64, maxLength: 64}), fc.nat(), fc.integer({min: 1, max: 255}))
      fc.assert(fc.property(arbitrary, ([signature, position, delta]) => {
        const der = signatureToDer(signature)
        der[position % der.length] = (der[position % der.length]! + delta) & 0xff
        try {
          expect(toHex(signatureToDer(signatureFromDer(der)))).to.equal(toHex(der))
        } catch (error) {
          expect(error).to.be.instanceOf(WichainError).with.property('code', 'DECODE_ERROR')
        }
      }), {numRuns: 2000, seed: 20260403})
    })

    it('rejects non-canonical and malformed encodings', () => {
      const cases = [
        '', '30', '3000', '300602010102010100', // trailing byte
        `3046022100${R}0220${S}00`, // outer length too long
        `304602220000${R.slice(2)}0220${S}`, // non-minimal INTEGER (leading 00 without high bit)
        `30450221ff${R}0220${S}`, // wrong lengths
        `3044022000${R.slice(2)}0220${S}`.replace('022000', '0220ff'), // negative r
        `308145022100${R}0220${S}`, // non-minimal long-form length
        `3080022100${R}0220${S}0000`, // indefinite length
        `3106020101020101`, // wrong outer tag
        `3006020101040101`, // s is an OCTET STRING
        '3009020101020101020101', // three integers
        `30270223000000${R.slice(0, 64)}020101`.slice(0, 20), // truncated
        `3026022201${'00'.repeat(32)}020101`, // r longer than 32 bytes
        '30050200020101', // empty INTEGER
      ]
      for (const hex of cases) expectCode(() => signatureFromDer(fromHex(hex)), 'DECODE_ERROR')
      expectCode(() => signatureToDer(new Uint8Array(63)), 'INVALID_ARGUMENT')
    })
  })

  describe('key encodings', () => {
    const keyPair = generateKeyPair()

    it('round-trips public keys through SPKI DER and PEM', () => {
      const der = publicKeyToSpkiDer(keyPair.publicKey)
      expect(toHex(der)).to.equal(`3059301306072a8648ce3d020106082a811ccf5501822d034200${toHex(keyPair.publicKey)}`)
      expect(toHex(publicKeyFromSpki(der))).to.equal(toHex(keyPair.publicKey))
      const pem = publicKeyToPem(keyPair.publicKey)
      expect(pem).to.match(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/)
      expect(toHex(publicKeyFromSpki(pem))).to.equal(toHex(keyPair.publicKey))
    })

    it('round-trips private keys through PKCS#8 PEM', () => {
      const pem = privateKeyToPem(keyPair)
      expect(pem).to.match(/^-----BEGIN PRIVATE KEY-----\n/)
      const back = privateKeyFromPem(pem)
      expect(toHex(back.privateKey)).to.equal(toHex(keyPair.privateKey))
      expect(toHex(back.publicKey)).to.equal(toHex(keyPair.publicKey))
    })

    it('rejects other curves, other algorithms, bad points and mismatched halves with KEY_ERROR', () => {
      const der = publicKeyToSpkiDer(keyPair.publicKey)
      const p256 = fromHex(toHex(der).replace('06082a811ccf5501822d', '06082a8648ce3d030107'))
      expectCode(() => publicKeyFromSpki(p256), 'KEY_ERROR')
      const offCurve = new Uint8Array(der)
      offCurve[offCurve.length - 1]! ^= 1
      expectCode(() => publicKeyFromSpki(offCurve), 'KEY_ERROR')
      expectCode(() => publicKeyFromSpki(der.subarray(0, 40)), 'KEY_ERROR')
      expectCode(() => publicKeyFromSpki(Uint8Array.of(...der, 0)), 'KEY_ERROR')
      expectCode(() => publicKeyFromSpki(privateKeyToPem(keyPair)), 'KEY_ERROR')
      expectCode(() => publicKeyFromSpki('not a pem'), 'KEY_ERROR')

      const other = generateKeyPair()
      const mismatched = decodePem(privateKeyToPem(keyPair)).der
      const swapped = fromHex(toHex(mismatched).replace(toHex(keyPair.publicKey), toHex(other.publicKey)))
      expectCode(() => privateKeyFromPem(encodePem('PRIVATE KEY', swapped)), 'KEY_ERROR')
      expectCode(() => privateKeyFromPem(encodePem('RSA PRIVATE KEY', mismatched)), 'KEY_ERROR')
      expectCode(() => privateKeyFromPem(publicKeyToPem(keyPair.publicKey)), 'KEY_ERROR')
    })

    it('rejects PEM armour that is encrypted, not base64 or too large', () => {
      const pem = privateKeyToPem(keyPair)
      const encrypted = pem.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: SM4-CBC,00\n\n')
      expectCode(() => privateKeyFromPem(encrypted), 'KEY_ERROR')
      expectCode(() => privateKeyFromPem(pem.replace(/\n[A-Za-z]/, '\n*')), 'KEY_ERROR')
      expectCode(() => decodePem(`${'x'.repeat(70_000)}\n${pem}`), 'KEY_ERROR')
    })
  })
})
