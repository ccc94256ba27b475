/**
 * Keystore documents (version 1): an SM2 private key encrypted with SM4-CBC under a key from
 * PBKDF2-SM3 of a password, with an HMAC-SM3 so a wrong password is reported as such instead of
 * yielding a garbage key. `cipher: 'none'` stores the key in clear, only when the operator asks.
 *
 *   derived = PBKDF2-SM3(password, salt, iterations, 32)
 *   ciphertext = SM4-CBC(derived[0..16], iv, privateKey)      mac = HMAC-SM3(derived[16..32], iv || ciphertext)
 */
import {pbkdf2Sync, randomBytes, timingSafeEqual} from 'node:crypto'
import {closeSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import {toWichainError, WichainError} from '../errors.js'
import {type Keystore, parseKeystore} from './keystore-schema.js'
import {addressOf, type KeyPair, publicKeyFromPrivate, validatePrivateKey, validatePublicKey} from './sm2.js'
import {hmacSm3} from './sm3.js'
import {SM4_IV_BYTES, SM4_KEY_BYTES, sm4DecryptCbc, sm4EncryptCbc} from './sm4.js'

export {KEYSTORE_ITERATIONS_MAX, type Keystore, type KeystoreCrypto, parseKeystore} from './keystore-schema.js'

export const KEYSTORE_VERSION = 1
/** ~80 ms on the reference machine: slows guessing without slowing node start noticeably. */
export const KEYSTORE_ITERATIONS_DEFAULT = 100_000
export const KEYSTORE_SALT_BYTES = 32
export const DERIVED_KEY_BYTES = 32

export interface KeystoreOptions {
  /** PBKDF2 iterations; tests use a few, production keeps the default. */
  readonly iterations?: number
}

function deriveKeys(password: string, salt: Uint8Array, iterations: number): {cipherKey: Uint8Array; macKey: Uint8Array} {
  const derived = new Uint8Array(pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, DERIVED_KEY_BYTES, 'sm3'))
  return {cipherKey: derived.subarray(0, SM4_KEY_BYTES), macKey: derived.subarray(SM4_KEY_BYTES)}
}

function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) {
    throw new WichainError('INVALID_ARGUMENT', 'keystore password must be a non-empty string')
  }
}

/** Builds a keystore document; without a password the key is stored in clear ('none'). */
export function createKeystore(keyPair: KeyPair, password?: string, options: KeystoreOptions = {}): Keystore {
  validatePrivateKey(keyPair.privateKey)
  const publicKey = publicKeyFromPrivate(keyPair.privateKey)
  if (!bytesEqual(publicKey, keyPair.publicKey)) throw new WichainError('KEY_ERROR', 'public key does not belong to the private key')
  const header = {version: KEYSTORE_VERSION, address: addressOf(publicKey), publicKey: toHex(publicKey)} as const
  if (password === undefined) {
    return parseKeystore({...header, crypto: {cipher: 'none', privateKey: toHex(keyPair.privateKey)}})
  }
  checkPassword(password)
  const iterations = options.iterations ?? KEYSTORE_ITERATIONS_DEFAULT
  const salt = new Uint8Array(randomBytes(KEYSTORE_SALT_BYTES))
  const iv = new Uint8Array(randomBytes(SM4_IV_BYTES))
  const keys = deriveKeys(password, salt, iterations)
  const ciphertext = sm4EncryptCbc(keys.cipherKey, iv, keyPair.privateKey)
  const mac = hmacSm3(keys.macKey, iv, ciphertext)
  return parseKeystore({
    ...header,
    crypto: {
      cipher: 'sm4-cbc',
      kdf: 'pbkdf2-sm3',
      kdfparams: {salt: toHex(salt), iterations, dkLen: DERIVED_KEY_BYTES},
      iv: toHex(iv),
      ciphertext: toHex(ciphertext),
      mac: toHex(mac),
    },
  })
}

function decryptPrivateKey(keystore: Keystore, password: string | undefined): Uint8Array {
  const crypto = keystore.crypto
  if (crypto.cipher === 'none') return fromHex(crypto.privateKey)
  if (password === undefined) throw new WichainError('WRONG_PASSWORD', 'keystore is encrypted: a password is required')
  checkPassword(password)
  const keys = deriveKeys(password, fromHex(crypto.kdfparams.salt), crypto.kdfparams.iterations)
  const iv = fromHex(crypto.iv)
  const ciphertext = fromHex(crypto.ciphertext)
  const mac = hmacSm3(keys.macKey, iv, ciphertext)
  if (!timingSafeEqual(mac, fromHex(crypto.mac))) {
    throw new WichainError('WRONG_PASSWORD', 'keystore password is wrong (or the file was altered)')
  }
  try {
    return sm4DecryptCbc(keys.cipherKey, iv, ciphertext)
  } catch (error) {
    // The MAC matched, so the password is right and the file was written wrongly.
    throw new WichainError('KEY_ERROR', 'keystore ciphertext is corrupt', undefined, {cause: error})
  }
}

/** Checks the document, decrypts the key and checks it against the stored public key and address. */
export function openKeystore(json: unknown, password?: string): KeyPair {
  const keystore = parseKeystore(json)
  const privateKey = decryptPrivateKey(keystore, password)
  validatePrivateKey(privateKey)
  const publicKey = publicKeyFromPrivate(privateKey)
  const storedPublicKey = fromHex(keystore.publicKey)
  validatePublicKey(storedPublicKey)
  if (!bytesEqual(publicKey, storedPublicKey) || addressOf(publicKey) !== keystore.address) {
    throw new WichainError('KEY_ERROR', 'keystore public key or address does not match its private key')
  }
  return Object.freeze({privateKey, publicKey})
}

/** Keystore and password files are small; refuse to read anything larger. */
export const KEYSTORE_FILE_BYTES_MAX = 64 * 1024

export interface WriteKeystoreOptions {
  /** Replace an existing file. Off by default: silently replacing a key file can lose a key. */
  readonly overwrite?: boolean
}

function withOpenFile<T>(path: string, flags: string, mode: number | undefined, use: (descriptor: number) => T): T {
  const descriptor = openSync(path, flags, mode)
  try {
    return use(descriptor)
  } finally {
    closeSync(descriptor)
  }
}

/**
 * Writes atomically with mode 0600: a temporary file beside the target, fsync, then rename (or a
 * hard link when not overwriting, which fails atomically if the target exists), then fsync the
 * directory. A crash leaves either the old file or the new one, never a torn key. Synchronous,
 * like the PBKDF2 around it: keys are read and written at start-up and by the CLI.
 */
export function writeKeystoreFile(path: string, keystore: Keystore, options: WriteKeystoreOptions = {}): void {
  const text = `${JSON.stringify(parseKeystore(keystore), null, 2)}\n`
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${toHex(randomBytes(6))}.tmp`)
  try {
    withOpenFile(temporary, 'wx', 0o600, (descriptor) => {
      writeFileSync(descriptor, text, 'utf8')
      fsyncSync(descriptor)
    })
    if (options.overwrite === true) renameSync(temporary, path)
    else linkSync(temporary, path)
    withOpenFile(dirname(path), 'r', undefined, (descriptor) => fsyncSync(descriptor))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new WichainError('ALREADY_EXISTS', `keystore file ${path} already exists`, {path})
    }
    throw toWichainError(error)
  } finally {
    rmSync(temporary, {force: true}) // already gone after a rename
  }
}

function readSmallFile(path: string, what: string): string {
  try {
    return withOpenFile(path, 'r', undefined, (descriptor) => {
      if (fstatSync(descriptor).size > KEYSTORE_FILE_BYTES_MAX) {
        throw new WichainError('PAYLOAD_TOO_LARGE', `${what} ${path} is larger than ${KEYSTORE_FILE_BYTES_MAX} bytes`, {path})
      }
      return readFileSync(descriptor, 'utf8')
    })
  } catch (error) {
    throw toWichainError(error)
  }
}

/** Reads, validates and opens a keystore file. */
export function readKeystoreFile(path: string, password?: string): KeyPair {
  const text = readSmallFile(path, 'keystore file')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new WichainError('KEY_ERROR', `keystore file ${path} is not JSON`, {path}, {cause: error})
  }
  return openKeystore(json, password)
}

/** A password file holds the password; only its trailing newline is dropped (spaces are kept). */
export function readPasswordFile(path: string): string {
  const password = readSmallFile(path, 'password file').replace(/\r?\n$/, '')
  if (password.length === 0) throw new WichainError('INVALID_ARGUMENT', `password file ${path} is empty`, {path})
  return password
}
