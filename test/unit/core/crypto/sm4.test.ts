import {expect} from 'chai'
import {sm4 as smCryptoV2Sm4} from 'sm-crypto-v2'
import {fromHex, toHex, utf8} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  createSm4BlockCipher, sm4Ctr, sm4DecryptCbc, sm4EncryptBlock, sm4EncryptCbc,
} from '../../../../src/core/crypto/sm4.js'

function expectCode(action: () => unknown, code: string): void {
  expect(action).to.throw(WichainError).with.property('code', code)
}

const key = fromHex('0123456789abcdeffedcba9876543210')
const iv = fromHex('fedcba98765432100123456789abcdef')

describe('core/crypto/sm4', () => {
  it('encrypts the GB/T 32907 block', () => {
    expect(toHex(sm4EncryptBlock(key, key))).to.equal('681edf34d206965e86b3e94f536e4246')
    const cipher = createSm4BlockCipher(key)
    expect(toHex(cipher.encryptBlock(key))).to.equal('681edf34d206965e86b3e94f536e4246')
    expect(toHex(cipher.encryptBlock(key))).to.equal('681edf34d206965e86b3e94f536e4246') // no chaining state
  })

  it('CBC round-trips with PKCS#7 padding and matches sm-crypto-v2', () => {
    for (const size of [0, 1, 15, 16, 17, 1000]) {
      const plaintext = new Uint8Array(size).map((_, i) => (i * 13 + 5) & 0xff)
      const ciphertext = sm4EncryptCbc(key, iv, plaintext)
      expect(ciphertext.length).to.equal((Math.floor(size / 16) + 1) * 16)
      expect(toHex(sm4DecryptCbc(key, iv, ciphertext))).to.equal(toHex(plaintext))
      const reference = smCryptoV2Sm4.encrypt(plaintext, key, {mode: 'cbc', iv, output: 'array'})
      expect(toHex(ciphertext)).to.equal(toHex(reference))
    }
  })

  it('CBC with the wrong key or a corrupted last block fails with DECODE_ERROR', () => {
    const plaintext = utf8('银行账号 6222020200112233445')
    const ciphertext = sm4EncryptCbc(key, iv, plaintext)
    // Fixed inputs, so deterministic: these give invalid padding (a wrong key passes ~1 in 256 times).
    expectCode(() => sm4DecryptCbc(fromHex('00112233445566778899aabbccddeeff'), iv, ciphertext), 'DECODE_ERROR')
    const corrupted = new Uint8Array(ciphertext)
    corrupted[corrupted.length - 1]! ^= 0x5a
    expectCode(() => sm4DecryptCbc(key, iv, corrupted), 'DECODE_ERROR')
    expectCode(() => sm4DecryptCbc(key, iv, ciphertext.subarray(0, 20)), 'DECODE_ERROR')
    expectCode(() => sm4DecryptCbc(key, iv, new Uint8Array(0)), 'DECODE_ERROR')
  })

  it('CTR is its own inverse, keeps the length, and XORs with E(counter block)', () => {
    const plaintext = utf8('张三 140105199001011234 phone 13800000000')
    const ciphertext = sm4Ctr(key, iv, plaintext)
    expect(ciphertext.length).to.equal(plaintext.length)
    expect(toHex(ciphertext)).to.not.equal(toHex(plaintext))
    expect(toHex(sm4Ctr(key, iv, ciphertext))).to.equal(toHex(plaintext))
    // First block of CTR = plaintext xor E(iv).
    const keystream = sm4EncryptBlock(key, iv)
    expect(ciphertext[0]).to.equal(plaintext[0]! ^ keystream[0]!)
    expect(ciphertext[15]).to.equal(plaintext[15]! ^ keystream[15]!)
  })

  it('rejects keys, IVs and blocks of the wrong size with INVALID_ARGUMENT', () => {
    expectCode(() => sm4EncryptCbc(new Uint8Array(15), iv, key), 'INVALID_ARGUMENT')
    expectCode(() => sm4EncryptCbc(key, new Uint8Array(8), key), 'INVALID_ARGUMENT')
    expectCode(() => sm4DecryptCbc(new Uint8Array(32), iv, key), 'INVALID_ARGUMENT')
    expectCode(() => sm4Ctr(new Uint8Array(17), iv, key), 'INVALID_ARGUMENT')
    expectCode(() => sm4EncryptBlock(key, new Uint8Array(17)), 'INVALID_ARGUMENT')
  })
})
