/**
 * The keystore document shape, checked strictly: exact field sets, lowercase hex of the exact
 * lengths, bounded KDF cost. Anything else is KEY_ERROR before any key material is touched, so a
 * hostile file cannot, for example, demand a billion PBKDF2 iterations.
 */
import {WichainError} from '../errors.js'

/** Upper bound on PBKDF2 iterations accepted from a file (~8 s here); the default is 100,000. */
export const KEYSTORE_ITERATIONS_MAX = 10_000_000
const SALT_BYTES_MIN = 16
const SALT_BYTES_MAX = 64

export interface KdfParams {
  readonly salt: string
  readonly iterations: number
  readonly dkLen: 32
}

export type KeystoreCrypto =
  | {
      readonly cipher: 'sm4-cbc'
      readonly kdf: 'pbkdf2-sm3'
      readonly kdfparams: KdfParams
      readonly iv: string
      readonly ciphertext: string
      readonly mac: string
    }
  | {readonly cipher: 'none'; readonly privateKey: string}

export interface Keystore {
  readonly version: 1
  readonly address: string
  readonly publicKey: string
  readonly crypto: KeystoreCrypto
}

function invalid(message: string): never {
  throw new WichainError('KEY_ERROR', `keystore is invalid: ${message}`)
}

function record(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`${what} must be an object`)
  const actual = Object.keys(value).sort()
  const expected = [...keys].sort()
  if (actual.length !== expected.length || actual.some((key, i) => key !== expected[i])) {
    invalid(`${what} must have exactly the fields ${expected.join(', ')}`)
  }
  return value as Record<string, unknown>
}

function hex(value: unknown, what: string, bytesMin: number, bytesMax = bytesMin): string {
  if (typeof value !== 'string' || !/^([0-9a-f]{2})*$/.test(value)) invalid(`${what} must be lowercase hex`)
  const bytes = value.length / 2
  if (bytes < bytesMin || bytes > bytesMax) invalid(`${what} has the wrong length`)
  return value
}

function literal<T extends string | number>(value: unknown, expected: T, what: string): T {
  if (value !== expected) invalid(`${what} must be ${JSON.stringify(expected)}`)
  return expected
}

function parseKdfParams(value: unknown): KdfParams {
  const params = record(value, 'crypto.kdfparams', ['salt', 'iterations', 'dkLen'])
  const iterations = params['iterations']
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < 1 || iterations > KEYSTORE_ITERATIONS_MAX) {
    invalid(`crypto.kdfparams.iterations must be an integer in 1..${KEYSTORE_ITERATIONS_MAX}`)
  }
  return Object.freeze({
    salt: hex(params['salt'], 'crypto.kdfparams.salt', SALT_BYTES_MIN, SALT_BYTES_MAX),
    iterations,
    dkLen: literal(params['dkLen'], 32, 'crypto.kdfparams.dkLen'),
  })
}

function parseCrypto(value: unknown): KeystoreCrypto {
  const cipher = (typeof value === 'object' && value !== null ? (value as {cipher?: unknown}).cipher : undefined)
  if (cipher === 'none') {
    const crypto = record(value, 'crypto', ['cipher', 'privateKey'])
    return Object.freeze({cipher: 'none', privateKey: hex(crypto['privateKey'], 'crypto.privateKey', 32)})
  }
  if (cipher !== 'sm4-cbc') invalid('crypto.cipher must be "sm4-cbc" or "none"')
  const crypto = record(value, 'crypto', ['cipher', 'kdf', 'kdfparams', 'iv', 'ciphertext', 'mac'])
  return Object.freeze({
    cipher: 'sm4-cbc',
    kdf: literal(crypto['kdf'], 'pbkdf2-sm3', 'crypto.kdf'),
    kdfparams: parseKdfParams(crypto['kdfparams']),
    iv: hex(crypto['iv'], 'crypto.iv', 16),
    // A 32-byte key under PKCS#7 padding is always exactly three blocks.
    ciphertext: hex(crypto['ciphertext'], 'crypto.ciphertext', 48),
    mac: hex(crypto['mac'], 'crypto.mac', 32),
  })
}

/** Validates a parsed JSON value as a version-1 keystore and returns a frozen copy. */
export function parseKeystore(json: unknown): Keystore {
  const document = record(json, 'keystore', ['version', 'address', 'publicKey', 'crypto'])
  if (document['version'] !== 1) invalid(`unsupported version ${JSON.stringify(document['version'])}`)
  const publicKey = hex(document['publicKey'], 'publicKey', 65)
  if (!publicKey.startsWith('04')) invalid('publicKey must be uncompressed (04…)')
  return Object.freeze({
    version: 1,
    address: hex(document['address'], 'address', 20),
    publicKey,
    crypto: parseCrypto(document['crypto']),
  })
}
