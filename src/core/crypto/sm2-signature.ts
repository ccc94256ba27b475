/**
 * SM2 signatures (GB/T 32918.2) with SM3 and the default distinguishing ID: e = SM3(Z || M).
 * sm-crypto-v2 does the curve arithmetic; Z and e are hashed here with native SM3 (node:crypto),
 * which keeps the ID handling in one place and is what makes us interoperable with
 * `openssl pkeyutl -rawin -digest sm3 -pkeyopt distid:1234567812345678`.
 */
import {sm2 as smCrypto} from 'sm-crypto-v2'
import {fromHex, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {decodeUnsignedInteger, encodeSequence, encodeUnsignedInteger, expectTag, readChildren, readOnly, TAG} from './der.js'
import {publicPointCache, type PublicPoint} from './sm2-point-cache.js'
import {
  bytesToBigInt, COORDINATE_BYTES, hasPublicKeyFormat, ORDER, publicKeyFromPrivate,
  signerIdHash, validatePrivateKey, validatePublicKey,
} from './sm2-keys.js'
import {sm3} from './sm3.js'

export const SIGNATURE_BYTES = 64

/** e = SM3(Z || M), the value SM2 actually signs. */
export function signedDigest(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  return sm3(signerIdHash(publicKey), message)
}

function signDigest(privateKey: Uint8Array, digest: Uint8Array, pointPool?: {k: bigint; x1: bigint}[]): Uint8Array {
  const options = pointPool === undefined ? undefined : {pointPool}
  const signature = fromHex(smCrypto.doSignature(digest, toHex(privateKey), options))
  if (signature.length !== SIGNATURE_BYTES) throw new WichainError('INTERNAL', 'SM2 signature has the wrong length')
  return signature
}

/**
 * Raw 64-byte r || s. Pass `publicKey` when known: deriving it costs a scalar multiplication.
 * The caller guarantees it belongs to `privateKey` (createSigner checks that once).
 */
export function sign(privateKey: Uint8Array, message: Uint8Array, publicKey?: Uint8Array): Uint8Array {
  validatePrivateKey(privateKey)
  const ownPublicKey = publicKey ?? publicKeyFromPrivate(privateKey)
  if (!hasPublicKeyFormat(ownPublicKey)) throw new WichainError('KEY_ERROR', 'SM2 public key has the wrong format')
  return signDigest(privateKey, signedDigest(ownPublicKey, message))
}

/**
 * Signs with a caller-chosen nonce k. Only for reproducing the published GB/T test vectors:
 * a repeated or predictable k reveals the private key. Not exported from the package index.
 */
export function signWithNonce(privateKey: Uint8Array, message: Uint8Array, nonce: Uint8Array): Uint8Array {
  const publicKey = publicKeyFromPrivate(privateKey)
  const kPoint = publicKeyFromPrivate(nonce)
  const x1 = bytesToBigInt(kPoint.subarray(1, 1 + COORDINATE_BYTES))
  return signDigest(privateKey, signedDigest(publicKey, message), [{k: bytesToBigInt(nonce), x1}])
}

function isScalarInRange(bytes: Uint8Array): boolean {
  const value = bytesToBigInt(bytes)
  return value >= 1n && value < ORDER
}

function verifyWith(point: PublicPoint | string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!isScalarInRange(signature.subarray(0, 32)) || !isScalarInRange(signature.subarray(32))) return false
    return smCrypto.doVerifySignature(signedDigest(publicKey, message), toHex(signature), point)
  } catch {
    return false // a key off the curve makes the library throw; that is just "does not verify"
  }
}

function isWellFormed(publicKey: unknown, message: unknown, signature: unknown): boolean {
  return hasPublicKeyFormat(publicKey) && message instanceof Uint8Array &&
    signature instanceof Uint8Array && signature.length === SIGNATURE_BYTES
}

/** True only for a valid signature; any malformed input gives false, never an exception. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isWellFormed(publicKey, message, signature)) return false
  let point: PublicPoint | string
  try {
    point = publicPointCache.lookup(toHex(publicKey))
  } catch {
    return false
  }
  return verifyWith(point, publicKey, message, signature)
}

/** verify() without the precompute cache: for benchmarks and for checking the cache itself. */
export function verifyUncached(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isWellFormed(publicKey, message, signature)) return false
  return verifyWith(toHex(publicKey), publicKey, message, signature)
}

/** Raw r || s → DER SEQUENCE { INTEGER r, INTEGER s } (what OpenSSL reads and writes). */
export function signatureToDer(signature: Uint8Array): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) {
    throw new WichainError('INVALID_ARGUMENT', `SM2 signature must be ${SIGNATURE_BYTES} bytes`)
  }
  return encodeSequence(encodeUnsignedInteger(signature.subarray(0, 32)), encodeUnsignedInteger(signature.subarray(32)))
}

/** Strict DER → raw r || s; DECODE_ERROR on anything but two minimal positive INTEGERs. */
export function signatureFromDer(der: Uint8Array): Uint8Array {
  if (!(der instanceof Uint8Array)) throw new WichainError('DECODE_ERROR', 'DER signature must be bytes')
  const children = readChildren(readOnly(der, TAG.sequence, 'signature'))
  if (children.length !== 2) throw new WichainError('DECODE_ERROR', 'DER signature must hold exactly r and s')
  const r = decodeUnsignedInteger(expectTag(children[0], TAG.integer, 'r'), 32, 'r')
  const s = decodeUnsignedInteger(expectTag(children[1], TAG.integer, 's'), 32, 's')
  const out = new Uint8Array(SIGNATURE_BYTES)
  out.set(r, 0)
  out.set(s, 32)
  return out
}

/** Shared X coordinate of privateKey · peerPublicKey (plain ECDH, for the P2P handshake). */
export function ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  validatePrivateKey(privateKey)
  validatePublicKey(peerPublicKey)
  const shared = smCrypto.ecdh(privateKey, toHex(peerPublicKey), true) // 0x02/0x03 || X
  return new Uint8Array(shared.subarray(1, 1 + COORDINATE_BYTES))
}
