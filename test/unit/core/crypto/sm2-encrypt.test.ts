import {expect} from 'chai'
import smCrypto from 'sm-crypto'
import {fromHex, toHex, utf8} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import {decrypt, encrypt, generateKeyPair, SM2_CIPHERTEXT_OVERHEAD_BYTES} from '../../../../src/core/crypto/sm2.js'

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

function expectCode(action: () => unknown, code: string): void {
  expect(action).to.throw(WichainError).with.property('code', code)
}

describe('core/crypto/sm2 encryption', () => {
  const keyPair = generateKeyPair()
  const plaintext = utf8('身份证号 140105199001011234')
  const ciphertext = encrypt(keyPair.publicKey, plaintext)

  it('round-trips, as C1 (65 bytes, 0x04) || C3 (32) || C2 (same length as the plaintext)', () => {
    expect(ciphertext.length).to.equal(SM2_CIPHERTEXT_OVERHEAD_BYTES + plaintext.length)
    expect(ciphertext[0]).to.equal(0x04)
    expect(toHex(decrypt(keyPair.privateKey, ciphertext))).to.equal(toHex(plaintext))
    expect(toHex(encrypt(keyPair.publicKey, plaintext))).to.not.equal(toHex(ciphertext)) // fresh k each time
    for (const size of [1, 31, 32, 33, 1000]) {
      const data = new Uint8Array(size).map((_, i) => (i * 7 + size) & 0xff)
      expect(toHex(decrypt(keyPair.privateKey, encrypt(keyPair.publicKey, data)))).to.equal(toHex(data))
    }
  })

  it('detects a changed bit in C3 or C2 (VERIFICATION_FAILED), and a wrong private key', () => {
    for (const bit of [65 * 8, 96 * 8 + 7, 97 * 8, ciphertext.length * 8 - 1]) {
      expectCode(() => decrypt(keyPair.privateKey, flipBit(ciphertext, bit)), 'VERIFICATION_FAILED')
    }
    expectCode(() => decrypt(generateKeyPair().privateKey, ciphertext), 'VERIFICATION_FAILED')
  })

  it('rejects a C1 that is off the curve, not uncompressed, or a ciphertext too short (DECODE_ERROR)', () => {
    expectCode(() => decrypt(keyPair.privateKey, flipBit(ciphertext, 8 * 10)), 'DECODE_ERROR')
    expectCode(() => decrypt(keyPair.privateKey, flipBit(ciphertext, 1)), 'DECODE_ERROR')
    expectCode(() => decrypt(keyPair.privateKey, ciphertext.subarray(0, SM2_CIPHERTEXT_OVERHEAD_BYTES)), 'DECODE_ERROR')
    expectCode(() => decrypt(keyPair.privateKey, new Uint8Array(0)), 'DECODE_ERROR')
  })

  it('refuses an empty plaintext and bad keys', () => {
    expectCode(() => encrypt(keyPair.publicKey, new Uint8Array(0)), 'INVALID_ARGUMENT')
    expectCode(() => encrypt(new Uint8Array(65), plaintext), 'KEY_ERROR')
    expectCode(() => decrypt(new Uint8Array(32), ciphertext), 'KEY_ERROR')
  })

  it('interoperates with sm-crypto (which writes C1 without the 0x04 prefix)', () => {
    const theirs = smCrypto.sm2.doEncrypt(Array.from(plaintext), toHex(keyPair.publicKey), 1)
    expect(toHex(decrypt(keyPair.privateKey, fromHex(`04${theirs}`)))).to.equal(toHex(plaintext))
    const decrypted = smCrypto.sm2.doDecrypt(toHex(ciphertext.subarray(1)), toHex(keyPair.privateKey), 1, {output: 'array'})
    expect(toHex(Uint8Array.from(decrypted))).to.equal(toHex(plaintext))
  })
})
