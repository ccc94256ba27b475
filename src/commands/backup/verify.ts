import {Args, Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {createProgress} from '../../cli/progress.js'
import {readPasswordFile} from '../../core/crypto/index.js'
import {verifyBackups, type VerifyResult} from '../../ops/backup/verify.js'

export default class BackupVerify extends WichainCommand<typeof BackupVerify> {
  static summary = 'Check a backup: member digests, block hash chain, commit certificates, and the links to its bases'
  static description =
    'Exit 0 only if every check passes; a damaged file fails with CORRUPT_DATA, a bad certificate, base link or manifest signature with VERIFICATION_FAILED, ' +
    'a signer the chain does not allow to create backups with UNAUTHORIZED; an unsigned backup of an earlier version is refused (make a new one). ' +
    'Give the backups an incremental builds on with --base to check it from the genesis.'
  static examples = [
    '<%= config.bin %> backup verify node2-full.wbk --json',
    '<%= config.bin %> backup verify node2-inc1.wbk --base node2-full.wbk --json',
  ]
  static args = {file: Args.string({description: 'backup file', required: true})}
  static flags = {
    base: Flags.string({description: 'a backup FILE builds on (repeat for a chain of incrementals)', multiple: true}),
    'password-file': Flags.string({description: 'password of an encrypted backup'}),
  }

  protected async execute(): Promise<VerifyResult> {
    const progress = createProgress('verify', {json: this.jsonEnabled(), unit: 'blocks'})
    try {
      return await verifyBackups({
        file: this.args.file,
        bases: this.flags.base,
        password: this.flags['password-file'] === undefined ? undefined : readPasswordFile(this.flags['password-file']),
        progress,
      })
    } finally {
      progress.stop()
    }
  }

  protected render(result: VerifyResult): void {
    this.log(`OK: ${result.kind} backup of ${result.chainId}, blocks ${result.fromHeight}..${result.toHeight}, head ${result.headHash}`)
    this.log(`signed by ${result.signer}, made ${new Date(result.createdAt).toISOString()}`)
    this.log(`certificates checked against the validator set: ${result.certificates.againstValidators}; signatures only: ${result.certificates.signatureOnly}`)
    if (!result.fromGenesis) this.log('not checked from the genesis: give the full backup (and earlier incrementals) with --base')
  }
}
