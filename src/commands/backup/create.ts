import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {loadKey} from '../../cli/context.js'
import {homeFlag, keyFlag, passwordFileFlag} from '../../cli/flags.js'
import {createProgress} from '../../cli/progress.js'
import {createSigner, readPasswordFile} from '../../core/crypto/index.js'
import {createBackup, type CreateBackupResult} from '../../ops/backup/create.js'

export default class BackupCreate extends WichainCommand<typeof BackupCreate> {
  static summary = 'Back up a node home: full, or incremental on a previous backup; the node may keep running'
  static description =
    'Holds everything a restore needs: config.json, genesis.json, the node keystore as stored, and every committed block with its certificate, ' +
    'with a manifest of SM3 digests. The head is pinned at the start, so the backup is consistent while the node commits on. ' +
    'The manifest is SM2-signed by --key, an account of the chain allowed to create backups (orgadmin, auditor or devops); ' +
    'verify and restore refuse a backup whose signature or signer does not check out. ' +
    'With --password-file the members are SM4-encrypted under a PBKDF2-SM3 key.'
  static examples = [
    '<%= config.bin %> backup create --home ./net/node2 --out node2-full.wbk --key ./net/admin/auditor.json --json',
    '<%= config.bin %> backup create --home ./net/node2 --out node2-inc1.wbk --base node2-full.wbk --key ./net/admin/auditor.json --json',
  ]
  static flags = {
    home: homeFlag({required: true}),
    out: Flags.string({description: 'backup file to write', required: true}),
    key: keyFlag({description: 'keystore of the account that signs the backup (orgadmin, auditor or devops of the chain)', required: true}),
    'key-password-file': passwordFileFlag({description: 'file holding the password of the --key keystore'}),
    base: Flags.string({description: 'previous backup of this node: write only the blocks after its head (incremental)'}),
    'password-file': Flags.string({description: 'encrypt the backup with the password in this file'}),
    force: Flags.boolean({description: 'replace an existing --out file', default: false}),
  }

  protected async execute(): Promise<CreateBackupResult> {
    const flags = this.flags
    const signer = createSigner(await loadKey({key: flags.key, 'password-file': flags['key-password-file']}))
    const progress = createProgress('backup', {json: this.jsonEnabled(), unit: 'blocks'})
    try {
      return await createBackup({
        home: flags.home,
        out: flags.out,
        signer,
        base: flags.base,
        password: flags['password-file'] === undefined ? undefined : readPasswordFile(flags['password-file']),
        force: flags.force,
        progress,
      })
    } finally {
      progress.stop()
    }
  }

  protected render(result: CreateBackupResult): void {
    const range = result.blocks === 0 ? 'no new blocks' : `blocks ${result.fromHeight}..${result.toHeight}`
    this.log(`${result.kind} backup of ${result.chainId} (${range}, head ${result.headHash}) → ${result.file}`)
    this.log(`${result.bytes} bytes, SM3 ${result.sm3}${result.encrypted ? ', encrypted' : ''}; blocks read via ${result.via}; signed by ${result.signer}`)
  }
}
