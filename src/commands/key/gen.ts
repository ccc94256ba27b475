import {Flags} from '@oclif/core'
import {existsSync} from 'node:fs'
import {toHex} from '../../core/bytes.js'
import {createKeystore, generateKeyPair, addressOf, writeKeystoreFile} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {passwordFileFlag, plaintextFlag} from '../../cli/flags.js'
import {newKeystorePassword, plaintextWarning} from '../../cli/new-keys.js'

export default class KeyGen extends WichainCommand<typeof KeyGen> {
  static summary = 'Generate a new SM2 key pair into a keystore file'
  static description =
    'The keystore is SM4-encrypted with a key derived by PBKDF2-SM3 from the password file. ' +
    'Without --password-file the command refuses, unless --plaintext asks for a key in clear (tests and dev networks only; it warns).'
  static examples = ['<%= config.bin %> key gen --out alice.json --password-file pw.txt --json', '<%= config.bin %> key gen --out test-key.json --plaintext']
  static flags = {
    out: Flags.string({description: 'keystore file to write', required: true}),
    'password-file': passwordFileFlag(),
    plaintext: plaintextFlag(),
    force: Flags.boolean({description: 'overwrite an existing file', default: false}),
  }

  protected async execute() {
    const {out, force} = this.flags
    const password = newKeystorePassword(this.flags, `the keystore ${out}`)
    if (existsSync(out) && !force) throw new WichainError('ALREADY_EXISTS', `${out} exists; pass --force to overwrite`)
    const keyPair = generateKeyPair()
    await writeKeystoreFile(out, createKeystore(keyPair, password), {overwrite: force})
    if (password === undefined) this.warning(plaintextWarning(out))
    return {address: addressOf(keyPair.publicKey), publicKey: toHex(keyPair.publicKey), file: out, encrypted: password !== undefined}
  }
}
