import {Args, Flags} from '@oclif/core'
import {toHex} from '../../core/bytes.js'
import {readKeystoreFile, readPasswordFile} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

export default class OrgAdd extends GovernedCommand<typeof OrgAdd> {
  static summary = 'Admit an organisation to the consortium, with its first org admin (by proposal: default a MAJORITY of org admins)'
  static description =
    'Until enough organisations approve, prints {proposal:{id, status, needs}} and exits 0 (`proposal vote` by the other org admins); --wait waits. ' +
    'The first org admin is --admin-public-key, or the public key of the keystore --admin-key (only its public part is read: give --admin-password-file if it is encrypted).'
  static examples = ['<%= config.bin %> org add org4 --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --name "Org Four" --admin-public-key 04ab… --json']
  static args = {id: Args.string({description: 'organisation id (lowercase letters, digits, - or _)', required: true})}
  static flags = {
    ...sendFlags(),
    ...governedFlags(),
    name: Flags.string({description: 'display name (default: the id)'}),
    'admin-public-key': Flags.string({description: 'hex of the first org admin\'s SM2 public key', exactlyOne: ['admin-public-key', 'admin-key']}),
    'admin-key': Flags.string({description: 'keystore of the first org admin (its public key is used)', exactlyOne: ['admin-public-key', 'admin-key']}),
    'admin-password-file': Flags.string({description: 'password of --admin-key, if encrypted'}),
    'admin-name': Flags.string({description: 'the first org admin\'s account name (default: <id>-admin)'}),
    'encryption-key': Flags.string({description: 'hex of the organisation\'s SM2 encryption public key (record keys are wrapped for it)'}),
  }

  protected async execute() {
    const flags = this.flags
    const publicKey = flags['admin-public-key'] ?? adminKeyOf(flags['admin-key']!, flags['admin-password-file'])
    const args = {
      id: this.args.id,
      name: flags.name ?? this.args.id,
      admin: {publicKey, ...(flags['admin-name'] === undefined ? {} : {name: flags['admin-name']})},
      ...(flags['encryption-key'] === undefined ? {} : {encryptionKey: flags['encryption-key']}),
    }
    return this.governed({contract: 'orgs', method: 'add', args}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}))
  }
}

function adminKeyOf(file: string, passwordFile: string | undefined): string {
  try {
    return toHex(readKeystoreFile(file, passwordFile === undefined ? undefined : readPasswordFile(passwordFile)).publicKey)
  } catch (error) {
    if (error instanceof WichainError) throw error
    throw new WichainError('FILE_NOT_FOUND', `--admin-key ${file} cannot be read: ${(error as Error).message}`)
  }
}
