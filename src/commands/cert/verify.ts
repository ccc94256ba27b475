import {Args, Flags} from '@oclif/core'
import {verifyTxCertificate} from '../../core/chain/tx-certificate.js'
import {WichainError} from '../../core/errors.js'
import {homePath, readGenesisFile} from '../../core/node/home.js'
import {WichainCommand} from '../../cli/base.js'
import {readInputFile} from '../../cli/context.js'
import {homeFlag} from '../../cli/flags.js'

export default class CertVerify extends WichainCommand<typeof CertVerify> {
  static summary = 'Verify a tx certificate offline against the chain\'s genesis; exit 0 only if valid'
  static description =
    'The certificate carries every node-set change before its block (header, commit certificate, the change txs with Merkle proofs); ' +
    'they are followed from the genesis validators, so certificates stay verifiable after `node add`/`node remove`.'
  static examples = ['<%= config.bin %> cert verify inj-001.cert.json --genesis ./net/genesis.json --json', '<%= config.bin %> cert verify inj-001.cert.json --home ./net/node0']
  static args = {file: Args.string({description: 'certificate file from `tx proof`', required: true})}
  static flags = {
    genesis: Flags.string({description: 'genesis file of the chain'}),
    home: homeFlag(),
  }

  protected async execute() {
    const genesisPath = this.flags.genesis ?? (this.flags.home === undefined ? undefined : homePath(this.flags.home, 'genesis'))
    if (genesisPath === undefined) throw new WichainError('USAGE', 'give --genesis FILE or --home DIR')
    const genesis = readGenesisFile(genesisPath)
    let document: unknown
    try {
      document = JSON.parse(readInputFile(this.args.file, 'certificate').toString('utf8'))
    } catch (error) {
      if (error instanceof WichainError) throw error
      throw new WichainError('VERIFICATION_FAILED', `${this.args.file} is not JSON`)
    }
    const check = verifyTxCertificate(document, genesis)
    if (!check.valid) throw new WichainError('VERIFICATION_FAILED', `certificate is invalid: ${check.reason}`, {...check})
    return check
  }
}
