/**
 * Optional encryption of a backup, the keystore's scheme applied to archive members:
 *
 *   derived = PBKDF2-SM3(password, salt, iterations, 32)   cipherKey = derived[0..16]  macKey = derived[16..32]
 *   member  = iv || SM4-CBC(cipherKey, iv, gzip(plaintext))       (fresh random iv per member)
 *   mac     = HMAC-SM3(macKey, canonical CBOR of the manifest with mac = "")
 *
 * The manifest stays readable (so an incremental can name its base without the password) and
 * lists the SM3 of every stored member; the MAC over it authenticates those digests, so a wrong
 * password is WRONG_PASSWORD and any altered byte is caught before anything is decrypted. The MAC
 * is computed with the signature empty; the signature (signature.ts) then covers the MAC.
 */
import {pbkdf2Sync, randomBytes, timingSafeEqual} from 'node:crypto'
import {gunzipSync, gzipSync} from 'node:zlib'
import {fromHex, toHex} from '../../core/bytes.js'
import {encodeCanonical} from '../../core/codec/canonical.js'
import {hmacSm3, KEYSTORE_ITERATIONS_DEFAULT, KEYSTORE_ITERATIONS_MAX, SM4_IV_BYTES, SM4_KEY_BYTES, sm4DecryptCbc, sm4EncryptCbc} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {BACKUP_LIMITS, type Encryption, type Manifest} from './format.js'

export const BACKUP_SALT_BYTES = 32

export interface BackupKeys {
  readonly cipherKey: Uint8Array
  readonly macKey: Uint8Array
  readonly salt: Uint8Array
  readonly iterations: number
}

export function deriveBackupKeys(password: string, salt: Uint8Array, iterations: number): BackupKeys {
  if (typeof password !== 'string' || password.length === 0) throw new WichainError('INVALID_ARGUMENT', 'backup password must be a non-empty string')
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > KEYSTORE_ITERATIONS_MAX) {
    throw new WichainError('INVALID_ARGUMENT', `PBKDF2 iterations must be 1..${KEYSTORE_ITERATIONS_MAX}`)
  }
  const derived = new Uint8Array(pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 2 * SM4_KEY_BYTES, 'sm3'))
  return {cipherKey: derived.subarray(0, SM4_KEY_BYTES), macKey: derived.subarray(SM4_KEY_BYTES), salt, iterations}
}

/** Keys for a new backup: a fresh salt. */
export function newBackupKeys(password: string, iterations = KEYSTORE_ITERATIONS_DEFAULT): BackupKeys {
  return deriveBackupKeys(password, new Uint8Array(randomBytes(BACKUP_SALT_BYTES)), iterations)
}

export function sealMember(keys: BackupKeys, plaintext: Uint8Array): Uint8Array {
  const iv = new Uint8Array(randomBytes(SM4_IV_BYTES))
  return new Uint8Array(Buffer.concat([iv, sm4EncryptCbc(keys.cipherKey, iv, gzipSync(plaintext))]))
}

/** Only called on members whose digest the authenticated manifest vouches for. */
export function openMember(keys: BackupKeys, stored: Uint8Array, name: string): Uint8Array {
  if (stored.length < 2 * SM4_IV_BYTES) throw new WichainError('CORRUPT_DATA', `${name}: encrypted member is too short`)
  try {
    const compressed = sm4DecryptCbc(keys.cipherKey, stored.subarray(0, SM4_IV_BYTES), stored.subarray(SM4_IV_BYTES))
    return new Uint8Array(gunzipSync(compressed, {maxOutputLength: BACKUP_LIMITS.memberBytesMax}))
  } catch (error) {
    throw new WichainError('CORRUPT_DATA', `${name}: cannot decrypt or decompress (${(error as Error).message})`, undefined, {cause: error})
  }
}

/** The MAC is made before the signature (which then covers it), so both are empty here. */
function macInput(manifest: Manifest): Uint8Array {
  return encodeCanonical({...manifest, encryption: {...manifest.encryption!, mac: ''}, signature: ''})
}

/** The manifest's encryption block for `keys`, MAC included. */
export function encryptionFor(keys: BackupKeys, manifest: Omit<Manifest, 'encryption' | 'signature'>): Encryption {
  const unsigned: Encryption = {cipher: 'sm4-cbc', compression: 'gzip', kdf: 'pbkdf2-sm3', salt: toHex(keys.salt), iterations: keys.iterations, mac: ''}
  return {...unsigned, mac: toHex(hmacSm3(keys.macKey, macInput({...manifest, encryption: unsigned, signature: ''})))}
}

/** Keys for an encrypted backup, after checking the manifest's MAC (WRONG_PASSWORD otherwise). */
export function unlockManifest(manifest: Manifest, password: string | undefined, file: string): BackupKeys {
  const encryption = manifest.encryption!
  if (password === undefined) throw new WichainError('WRONG_PASSWORD', `${file} is encrypted: give --password-file`)
  const keys = deriveBackupKeys(password, fromHex(encryption.salt), encryption.iterations)
  const expected = hmacSm3(keys.macKey, macInput(manifest))
  if (!timingSafeEqual(expected, fromHex(encryption.mac))) {
    throw new WichainError('WRONG_PASSWORD', `backup password is wrong for ${file} (or its manifest was altered)`)
  }
  return keys
}
