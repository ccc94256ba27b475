import {Flags} from '@oclif/core'
import {WichainCommand} from '../cli/base.js'
import {homeFlag} from '../cli/flags.js'
import {createProgress} from '../cli/progress.js'
import {readPasswordFile} from '../core/crypto/index.js'
import {restoreBackups, type RestoreResult} from '../ops/backup/restore.js'

export default class Restore extends WichainCommand<typeof Restore> {
  static summary = 'Restore a node home from a full backup and its incrementals (verified, then replayed)'
  static description =
    'Verifies every manifest signature and signer, every digest, the hash chain and every certificate before writing anything, then rebuilds the ledger by re-executing every block. ' +
    'The home must be empty (or pass --force). Start the node afterwards with `wichain node start --home H --detach`; it catches up from its peers.'
  static examples = [
    '<%= config.bin %> restore --home ./net/node2 --from node2-full.wbk --from node2-inc1.wbk --json',
  ]
  static flags = {
    home: homeFlag({required: true}),
    from: Flags.string({description: 'backup file: the full one, then each incremental (repeat)', required: true, multiple: true}),
    'password-file': Flags.string({description: 'password of encrypted backups'}),
    force: Flags.boolean({description: 'replace a non-empty home (its node must be stopped)', default: false}),
  }

  protected async execute(): Promise<RestoreResult> {
    const progress = createProgress('restore (verify, then replay)', {json: this.jsonEnabled(), unit: 'steps'})
    try {
      return await restoreBackups({
        home: this.flags.home,
        from: this.flags.from,
        password: this.flags['password-file'] === undefined ? undefined : readPasswordFile(this.flags['password-file']),
        force: this.flags.force,
        progress,
      })
    } finally {
      progress.stop()
    }
  }

  protected render(result: RestoreResult): void {
    this.log(`restored ${result.chainId} into ${result.home}: height ${result.height}, head ${result.headHash} (${result.blocks} blocks re-executed from ${result.backups} backup(s))`)
    this.log(`next: wichain node start --home ${result.home} --detach`)
  }
}
