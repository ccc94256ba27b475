/**
 * SM2 key pairs on the recommended curve (GB/T 32918.5) and the signer identity hash Z
 * (GB/T 32918.2 §5.5) for the default distinguishing ID of GB/T 35276.
 */
import {sm2 as smCrypto} from 'sm-crypto-v2'
import {fromHex, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {sm3} from './sm3.js'

export type KeyPair = {readonly privateKey: Uint8Array; readonly publicKey: Uint8Array}

export const PRIVATE_KEY_BYTES = 32
export const PUBLIC_KEY_BYTES = 65
export const COORDINATE_BYTES = 32

/** GB/T 35276 default ID; OpenSSL, GmSSL, FISCO BCOS and ChainMaker sign with it. */
export const DEFAULT_SIGNER_ID = '1234567812345678'

/** Curve parameters (GB/T 32918.5). */
export const CURVE = Object.freeze({
  a: 'fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc',
  b: '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93',
  gx: '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7',
  gy: 'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0',
  n: 'fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123',
})

export const ORDER = BigInt(`0x${CURVE.n}`)

/** Z-value prefix for the default ID: ENTL || ID || a || b || xG || yG. */
const DEFAULT_Z_PREFIX = zPrefix(DEFAULT_SIGNER_ID)

function zPrefix(id: string): Uint8Array {
  const idBytes = Buffer.from(id, 'utf8')
  const idBits = idBytes.length * 8
  return new Uint8Array(Buffer.concat([
    Buffer.of(idBits >> 8, idBits & 0xff),
    idBytes,
    Buffer.from(CURVE.a + CURVE.b + CURVE.gx + CURVE.gy, 'hex'),
  ]))
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`)
}

export function bigIntToBytes(value: bigint, size: number): Uint8Array {
  return fromHex(value.toString(16).padStart(size * 2, '0'))
}

/** Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA); the public key must be uncompressed. */
export function signerIdHash(publicKey: Uint8Array): Uint8Array {
  return sm3(DEFAULT_Z_PREFIX, publicKey.subarray(1))
}

/**
 * A private key d must satisfy 1 ≤ d ≤ n-2: signing inverts (1 + d) modulo n.
 * Throws KEY_ERROR otherwise.
 */
export function validatePrivateKey(privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== PRIVATE_KEY_BYTES) {
    throw new WichainError('KEY_ERROR', `SM2 private key must be ${PRIVATE_KEY_BYTES} bytes`)
  }
  const d = bytesToBigInt(privateKey)
  if (d < 1n || d > ORDER - 2n) throw new WichainError('KEY_ERROR', 'SM2 private key is out of range')
}

/** Cheap format check only (length and 0x04 prefix); the curve check is in validatePublicKey. */
export function hasPublicKeyFormat(publicKey: unknown): publicKey is Uint8Array {
  return publicKey instanceof Uint8Array && publicKey.length === PUBLIC_KEY_BYTES && publicKey[0] === 0x04
}

/** Uncompressed 0x04 || X || Y on the SM2 curve; throws KEY_ERROR otherwise. */
export function validatePublicKey(publicKey: Uint8Array): void {
  if (!hasPublicKeyFormat(publicKey)) {
    throw new WichainError('KEY_ERROR', `SM2 public key must be ${PUBLIC_KEY_BYTES} bytes starting with 0x04`)
  }
  let onCurve = false
  try {
    onCurve = smCrypto.verifyPublicKey(toHex(publicKey))
  } catch {
    onCurve = false
  }
  if (!onCurve) throw new WichainError('KEY_ERROR', 'SM2 public key is not a point on the curve')
}

export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  validatePrivateKey(privateKey)
  return fromHex(smCrypto.getPublicKeyFromPrivateKey(toHex(privateKey)))
}

export function generateKeyPair(): KeyPair {
  for (;;) {
    const {privateKey, publicKey} = smCrypto.generateKeyPairHex()
    const privateBytes = fromHex(privateKey)
    // The library draws from [1, n-1]; n-1 is not a valid SM2 key (vanishingly rare, but cheap to skip).
    if (bytesToBigInt(privateBytes) > ORDER - 2n) continue
    return Object.freeze({privateKey: privateBytes, publicKey: fromHex(publicKey)})
  }
}
