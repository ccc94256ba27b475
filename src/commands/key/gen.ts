import {Flags} from '@oclif/core'
import {existsSync} from 'node:fs'
import {toHex} from '../../core/bytes.js'
import {createKeystore, generateKeyPair, addressOf, readPasswordFile, writeKeystoreFile} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {passwordFileFlag} from '../../cli/flags.js'

export default class KeyGen extends WichainCommand<typeof KeyGen> {
  static summary = 'Generate a new SM2 key pair into a keystore file'
  static description = 'The keystore is SM4-encrypted with a key derived by PBKDF2-SM3 from the password file, or plain when no password file is given.'
  static examples = ['<%= config.bin %> key gen --out alice.json --password-file pw.txt --json']
  static flags = {
    out: Flags.string({description: 'keystore file to write', required: true}),
    'password-file': passwordFileFlag(),
    force: Flags.boolean({description: 'overwrite an existing file', default: false}),
  }

  protected async execute() {
    const {out, force} = this.flags
    if (existsSync(out) && !force) throw new WichainError('ALREADY_EXISTS', `${out} exists; pass --force to overwrite`)
    const password = this.flags['password-file'] === undefined ? undefined : await readPasswordFile(this.flags['password-file'])
    const keyPair = generateKeyPair()
    await writeKeystoreFile(out, createKeystore(keyPair, password), {overwrite: force})
    return {address: addressOf(keyPair.publicKey), publicKey: toHex(keyPair.publicKey), file: out, encrypted: password !== undefined}
  }
}
