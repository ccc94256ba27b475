import {Flags} from '@oclif/core'
import {existsSync} from 'node:fs'
import {toHex} from '../../core/bytes.js'
import {addressOf, createKeystore, generateKeyPair, readPasswordFile, writeKeystoreFile} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {plaintextWarning} from '../../cli/new-keys.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class AccountCreate extends WichainCommand<typeof AccountCreate> {
  static summary = 'Create an account of an organisation with one or more roles (consortium chains; the org\'s admin signs)'
  static description =
    'Either for an existing key (--public-key) or a new keystore written to --out: encrypted with --out-password-file (else with ' +
    '--password-file, the one that unlocks --key), or in clear with --plaintext (tests and dev networks only; it warns). ' +
    'Roles: orgadmin, auditor, user, devops; one account is never both orgadmin and auditor. Policy accounts.create: SELF of orgadmin.'
  static examples = [
    '<%= config.bin %> account create --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --name alice --roles user --out alice.json --out-password-file pw.txt --json',
    '<%= config.bin %> account create --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --name ops --roles user,devops --public-key 04ab… --json',
  ]
  static flags = {
    ...sendFlags(),
    org: Flags.string({description: 'the organisation (default: the signer\'s)'}),
    name: Flags.string({description: 'account name (1..64 characters)', required: true}),
    roles: Flags.string({description: 'comma-separated roles: orgadmin, auditor, user, devops (alias --role)', required: true, aliases: ['role']}),
    'public-key': Flags.string({description: 'hex of the account\'s 65-byte SM2 public key', exactlyOne: ['public-key', 'out']}),
    out: Flags.string({description: 'write a new keystore here and create its account', exactlyOne: ['public-key', 'out']}),
    'out-password-file': Flags.string({description: 'encrypt the new keystore with the password in this file'}),
    plaintext: Flags.boolean({description: 'write the new keystore unencrypted; for tests and dev networks only', default: false}),
    force: Flags.boolean({description: 'overwrite an existing --out file', default: false}),
  }

  protected async execute() {
    const flags = this.flags
    const roles = flags.roles.split(',').map((role) => role.trim()).filter((role) => role !== '')
    let publicKey = flags['public-key']
    let written: {file: string; encrypted: boolean} | undefined
    if (flags.out !== undefined) {
      const passwordFile = flags['out-password-file'] ?? flags['password-file']
      if (passwordFile === undefined && !flags.plaintext) {
        throw new WichainError('USAGE', `the keystore ${flags.out} would be written unencrypted: give --out-password-file FILE to encrypt, or --plaintext (tests and dev networks only)`)
      }
      if (existsSync(flags.out) && !flags.force) throw new WichainError('ALREADY_EXISTS', `${flags.out} exists; pass --force to overwrite`)
      const password = passwordFile === undefined ? undefined : readPasswordFile(passwordFile)
      const keyPair = generateKeyPair()
      // Written before the tx: should the tx fail, the key is still there to retry with --public-key.
      writeKeystoreFile(flags.out, createKeystore(keyPair, password), {overwrite: flags.force})
      if (password === undefined) this.warning(plaintextWarning(flags.out))
      publicKey = toHex(keyPair.publicKey)
      written = {file: flags.out, encrypted: password !== undefined}
    }
    const args = {...(flags.org === undefined ? {} : {org: flags.org}), name: flags.name, publicKey: publicKey!, roles}
    const committed = await sendAndWait(flags, {contract: 'accounts', method: 'create', args})
    const {account} = committed.result as {account: object}
    return {txHash: committed.txHash, height: committed.height, account, ...(written === undefined ? {} : {keystore: {...written, address: addressOf(Buffer.from(publicKey!, 'hex'))}})}
  }
}
