/**
 * SM2 keys in the encodings OpenSSL 3 reads and writes:
 *   public:  SubjectPublicKeyInfo (RFC 5480) with id-ecPublicKey and the SM2 curve OID, PEM 'PUBLIC KEY';
 *   private: PKCS#8 'PRIVATE KEY' wrapping a SEC1 ECPrivateKey (what `openssl genpkey -algorithm SM2`
 *            writes); SEC1 'EC PRIVATE KEY' / 'SM2 PRIVATE KEY' are accepted on input.
 */
import {bytesEqual} from '../bytes.js'
import {WichainError} from '../errors.js'
import {
  decodeSmallInteger, encodeElement, encodeSequence, expectTag, readChildren, readOnly, TAG, type DerElement,
} from './der.js'
import {decodePem, encodePem} from './pem.js'
import {
  type KeyPair, PRIVATE_KEY_BYTES, publicKeyFromPrivate, validatePrivateKey, validatePublicKey,
} from './sm2-keys.js'

/** DER of OID 1.2.840.10045.2.1 (id-ecPublicKey). */
const OID_EC_PUBLIC_KEY = Uint8Array.from([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01])
/** DER of OID 1.2.156.10197.1.301 (SM2 recommended curve). */
const OID_SM2_CURVE = Uint8Array.from([0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d])
const ALGORITHM_IDENTIFIER = encodeSequence(OID_EC_PUBLIC_KEY, OID_SM2_CURVE)

function keyError(message: string): never {
  throw new WichainError('KEY_ERROR', message)
}

/** Reads a DER structure, turning DER decode failures into KEY_ERROR (it is a key we were given). */
function parseKeyDer<T>(what: string, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof WichainError && error.code === 'DECODE_ERROR') keyError(`${what}: ${error.message}`)
    throw error
  }
}

function encodeBitString(bytes: Uint8Array): Uint8Array {
  return encodeElement(TAG.bitString, new Uint8Array([0, ...bytes]))
}

function decodeBitString(content: Uint8Array, what: string): Uint8Array {
  if (content.length === 0 || content[0] !== 0) keyError(`${what}: BIT STRING must have no unused bits`)
  return content.subarray(1)
}

function expectSm2Algorithm(element: DerElement | undefined): void {
  const children = readChildren(expectTag(element, TAG.sequence, 'algorithm'))
  const [algorithm, curve] = children.map((child) => encodeElement(child.tag, child.content))
  if (children.length !== 2 || !bytesEqual(algorithm!, OID_EC_PUBLIC_KEY) || !bytesEqual(curve!, OID_SM2_CURVE)) {
    keyError('key algorithm is not id-ecPublicKey on the SM2 curve')
  }
}

export function publicKeyToSpkiDer(publicKey: Uint8Array): Uint8Array {
  validatePublicKey(publicKey)
  return encodeSequence(ALGORITHM_IDENTIFIER, encodeBitString(publicKey))
}

export function publicKeyToPem(publicKey: Uint8Array): string {
  return encodePem('PUBLIC KEY', publicKeyToSpkiDer(publicKey))
}

/** SPKI as DER bytes or as PEM text → 65-byte public key (curve-checked). */
export function publicKeyFromSpki(derOrPem: Uint8Array | string): Uint8Array {
  let der: Uint8Array
  if (typeof derOrPem === 'string') {
    const pem = decodePem(derOrPem)
    if (pem.label !== 'PUBLIC KEY') keyError(`expected a PUBLIC KEY PEM block, got ${pem.label}`)
    der = pem.der
  } else {
    der = derOrPem
  }
  const publicKey = parseKeyDer('SubjectPublicKeyInfo', () => {
    const children = readChildren(readOnly(der, TAG.sequence, 'SubjectPublicKeyInfo'))
    if (children.length !== 2) keyError('SubjectPublicKeyInfo must have two fields')
    expectSm2Algorithm(children[0])
    return decodeBitString(expectTag(children[1], TAG.bitString, 'subjectPublicKey'), 'subjectPublicKey')
  })
  validatePublicKey(publicKey)
  return new Uint8Array(publicKey)
}

/** SEC1 ECPrivateKey { version 1, privateKey, [0] parameters OPTIONAL, [1] publicKey OPTIONAL }. */
function encodeEcPrivateKey(keyPair: KeyPair, withParameters: boolean): Uint8Array {
  const fields = [encodeElement(TAG.integer, Uint8Array.of(1)), encodeElement(TAG.octetString, keyPair.privateKey)]
  if (withParameters) fields.push(encodeElement(TAG.context0, OID_SM2_CURVE))
  fields.push(encodeElement(TAG.context1, encodeBitString(keyPair.publicKey)))
  return encodeSequence(...fields)
}

function decodeEcPrivateKey(der: Uint8Array): {privateKey: Uint8Array; publicKey?: Uint8Array} {
  const children = readChildren(readOnly(der, TAG.sequence, 'ECPrivateKey'))
  if (decodeSmallInteger(expectTag(children[0], TAG.integer, 'version'), 'version') !== 1) {
    keyError('ECPrivateKey version must be 1')
  }
  const privateKey = expectTag(children[1], TAG.octetString, 'privateKey')
  if (privateKey.length !== PRIVATE_KEY_BYTES) keyError(`EC private key must be ${PRIVATE_KEY_BYTES} bytes`)
  let index = 2
  if (children[index]?.tag === TAG.context0) {
    if (!bytesEqual(children[index]!.content, OID_SM2_CURVE)) keyError('EC private key is not on the SM2 curve')
    index++
  }
  let publicKey: Uint8Array | undefined
  if (children[index]?.tag === TAG.context1) {
    const bitString = readOnly(children[index]!.content, TAG.bitString, 'publicKey')
    publicKey = decodeBitString(bitString, 'publicKey')
    index++
  }
  if (index !== children.length) keyError('ECPrivateKey has unexpected fields')
  return publicKey === undefined ? {privateKey} : {privateKey, publicKey}
}

function decodePkcs8(der: Uint8Array): {privateKey: Uint8Array; publicKey?: Uint8Array} {
  const children = readChildren(readOnly(der, TAG.sequence, 'PrivateKeyInfo'))
  if (children.length !== 3) keyError('PrivateKeyInfo must have three fields (no attributes)')
  if (decodeSmallInteger(expectTag(children[0], TAG.integer, 'version'), 'version') !== 0) {
    keyError('PrivateKeyInfo version must be 0')
  }
  expectSm2Algorithm(children[1])
  return decodeEcPrivateKey(expectTag(children[2], TAG.octetString, 'privateKey'))
}

/** PKCS#8 'PRIVATE KEY' PEM, as `openssl genpkey -algorithm SM2` writes it. */
export function privateKeyToPem(keyPair: KeyPair): string {
  validatePrivateKey(keyPair.privateKey)
  validatePublicKey(keyPair.publicKey)
  const der = encodeSequence(
    encodeElement(TAG.integer, Uint8Array.of(0)),
    ALGORITHM_IDENTIFIER,
    encodeElement(TAG.octetString, encodeEcPrivateKey(keyPair, false)),
  )
  return encodePem('PRIVATE KEY', der)
}

/** PKCS#8 or SEC1 PEM → key pair; KEY_ERROR when malformed or when the embedded public key disagrees. */
export function privateKeyFromPem(pem: string): KeyPair {
  const {label, der} = decodePem(pem)
  const decoded = parseKeyDer(label, () => {
    if (label === 'PRIVATE KEY') return decodePkcs8(der)
    if (label === 'EC PRIVATE KEY' || label === 'SM2 PRIVATE KEY') return decodeEcPrivateKey(der)
    return keyError(`unsupported PEM block ${label} (expected PRIVATE KEY or EC PRIVATE KEY)`)
  })
  const privateKey = new Uint8Array(decoded.privateKey)
  const publicKey = publicKeyFromPrivate(privateKey)
  if (decoded.publicKey !== undefined && !bytesEqual(decoded.publicKey, publicKey)) {
    keyError('the public key in the PEM does not match its private key')
  }
  return Object.freeze({privateKey, publicKey})
}
