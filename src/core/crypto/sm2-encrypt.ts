/**
 * SM2 public-key encryption (GB/T 32918.4), ciphertext C1 || C3 || C2 with C1 uncompressed
 * (0x04 || x1 || y1), C3 = SM3(x2 || M || y2), C2 = M xor KDF(x2 || y2). Used to wrap the
 * per-record SM4 data keys for each authorised organisation, so plaintexts are small.
 */
import {sm2 as smCrypto} from 'sm-crypto-v2'
import {fromHex, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {publicPointCache} from './sm2-point-cache.js'
import {PUBLIC_KEY_BYTES, validatePrivateKey, validatePublicKey} from './sm2-keys.js'

const C1C3C2 = 1
const C3_BYTES = 32
export const SM2_CIPHERTEXT_OVERHEAD_BYTES = PUBLIC_KEY_BYTES + C3_BYTES
/** The KDF runs in JavaScript; a megabyte takes ~0.1 s. Bulk data belongs in SM4. */
export const SM2_PLAINTEXT_BYTES_MAX = 1024 * 1024

export function encrypt(publicKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  validatePublicKey(publicKey)
  if (!(plaintext instanceof Uint8Array) || plaintext.length === 0) {
    throw new WichainError('INVALID_ARGUMENT', 'SM2 plaintext must be non-empty bytes')
  }
  if (plaintext.length > SM2_PLAINTEXT_BYTES_MAX) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `SM2 plaintext exceeds ${SM2_PLAINTEXT_BYTES_MAX} bytes`)
  }
  const point = publicPointCache.lookup(toHex(publicKey))
  // The library writes C1 without its 0x04 prefix; we keep the standard uncompressed form.
  const body = fromHex(smCrypto.doEncrypt(plaintext, point, C1C3C2))
  const out = new Uint8Array(1 + body.length)
  out[0] = 0x04
  out.set(body, 1)
  return out
}

/** DECODE_ERROR when the ciphertext is malformed, VERIFICATION_FAILED when C3 does not match. */
export function decrypt(privateKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  validatePrivateKey(privateKey)
  if (!(ciphertext instanceof Uint8Array) || ciphertext.length <= SM2_CIPHERTEXT_OVERHEAD_BYTES) {
    throw new WichainError('DECODE_ERROR', 'SM2 ciphertext is too short')
  }
  if (ciphertext.length > SM2_PLAINTEXT_BYTES_MAX + SM2_CIPHERTEXT_OVERHEAD_BYTES) {
    throw new WichainError('PAYLOAD_TOO_LARGE', 'SM2 ciphertext is too long')
  }
  if (ciphertext[0] !== 0x04) throw new WichainError('DECODE_ERROR', 'SM2 ciphertext C1 must be an uncompressed point')
  let plaintext: Uint8Array | unknown[]
  try {
    plaintext = smCrypto.doDecrypt(toHex(ciphertext.subarray(1)), toHex(privateKey), C1C3C2, {output: 'array'})
  } catch (error) {
    throw new WichainError('DECODE_ERROR', 'SM2 ciphertext C1 is not a point on the curve', undefined, {cause: error})
  }
  // On a C3 mismatch the library returns an empty plain array rather than throwing.
  if (!(plaintext instanceof Uint8Array) || plaintext.length === 0) {
    throw new WichainError('VERIFICATION_FAILED', 'SM2 ciphertext failed its integrity check (wrong key or tampered)')
  }
  return plaintext
}
