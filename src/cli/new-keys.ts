/**
 * The password for keystores a command is about to write. Encryption is the default: without
 * `--password-file` the operator must say `--plaintext` (tests, dev networks), else the command
 * refuses before writing anything. A plaintext keystore is always announced (`warning()`).
 */
import {readPasswordFile} from '../core/crypto/index.js'
import {WichainError} from '../core/errors.js'

export interface NewKeyFlags {
  readonly 'password-file'?: string
  readonly plaintext?: boolean
}

/** `what` names the keystores in the refusal ("the keystore", "the network's keystores"). */
export function newKeystorePassword(flags: NewKeyFlags, what: string): string | undefined {
  if (flags['password-file'] !== undefined) return readPasswordFile(flags['password-file'])
  if (flags.plaintext === true) return undefined
  throw new WichainError('USAGE', `${what} would be written unencrypted: give --password-file FILE to encrypt, or --plaintext to write keys in clear (tests and dev networks only)`)
}

/** The warning line for keystores written in clear. */
export function plaintextWarning(where: string): string {
  return `unencrypted keystore(s) written: ${where}; anyone who can read them holds the keys (use --password-file outside tests and dev networks)`
}
