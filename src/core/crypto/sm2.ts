/**
 * SM2 (GB/T 32918) for wichain: keys, signatures with SM3 and the default ID, key encodings,
 * public-key encryption, ECDH, addresses and signers. Implementation is split by concern:
 * sm2-keys (curve, key checks, Z), sm2-signature (sign/verify/DER/ECDH), sm2-pem (SPKI, PKCS#8),
 * sm2-encrypt, sm2-point-cache (precompute). Never use node:crypto EC keys on the SM2 curve for
 * signatures: they sign ECDSA, not SM2.
 */
import {LruMap} from './lru.js'
import {bytesEqual, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {type KeyPair, publicKeyFromPrivate, validatePublicKey} from './sm2-keys.js'
import {sign} from './sm2-signature.js'
import {sm3} from './sm3.js'

export {
  COORDINATE_BYTES, DEFAULT_SIGNER_ID, generateKeyPair, type KeyPair, PRIVATE_KEY_BYTES, PUBLIC_KEY_BYTES,
  publicKeyFromPrivate, validatePrivateKey, validatePublicKey,
} from './sm2-keys.js'
export {ecdh, SIGNATURE_BYTES, sign, signatureFromDer, signatureToDer, signedDigest, verify} from './sm2-signature.js'
export {privateKeyFromPem, privateKeyToPem, publicKeyFromSpki, publicKeyToPem, publicKeyToSpkiDer} from './sm2-pem.js'
export {decrypt, encrypt, SM2_CIPHERTEXT_OVERHEAD_BYTES, SM2_PLAINTEXT_BYTES_MAX} from './sm2-encrypt.js'

export const ADDRESS_BYTES = 20

/** Address = hex of the first 20 bytes of SM3(65-byte uncompressed public key). */
export function addressOf(publicKey: Uint8Array): string {
  const key = toHex(publicKey)
  const known = ADDRESSES.get(key)
  if (known !== undefined) return known
  // Validating the point (on the curve, not the identity) is the costly part; once per key.
  validatePublicKey(publicKey)
  const address = toHex(sm3(publicKey).subarray(0, ADDRESS_BYTES))
  ADDRESSES.set(key, address)
  return address
}

/** Addresses of recently seen valid public keys (every tx derives its sender's). */
const ADDRESSES = new LruMap<string, string>(4096)

export interface Signer {
  readonly publicKey: Uint8Array
  readonly address: string
  sign(message: Uint8Array): Uint8Array
}

/**
 * A signer bound to one key pair. The pair is checked once here, so each sign() skips deriving
 * the public key (a scalar multiplication, about as costly as the signature itself).
 */
export function createSigner(keyPair: KeyPair): Signer {
  const derived = publicKeyFromPrivate(keyPair.privateKey)
  if (!(keyPair.publicKey instanceof Uint8Array) || !bytesEqual(derived, keyPair.publicKey)) {
    throw new WichainError('KEY_ERROR', 'public key does not belong to the private key')
  }
  const privateKey = new Uint8Array(keyPair.privateKey)
  const publicKey = new Uint8Array(derived)
  return Object.freeze({
    publicKey,
    address: addressOf(publicKey),
    sign: (message: Uint8Array) => sign(privateKey, message, publicKey),
  })
}
