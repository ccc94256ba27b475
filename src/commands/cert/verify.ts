import {Args, Flags} from '@oclif/core'
import {verifyTxCertificate} from '../../core/chain/tx-certificate.js'
import {WichainError} from '../../core/errors.js'
import {homePath, readGenesisFile} from '../../core/node/home.js'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, readInputFile, signingFlags} from '../../cli/context.js'
import {homeFlag} from '../../cli/flags.js'

export default class CertVerify extends WichainCommand<typeof CertVerify> {
  static summary = 'Verify a tx certificate offline against the chain\'s genesis; exit 0 only if valid'
  static description =
    'The certificate carries every node-set change before its block (header, commit certificate, the change txs with Merkle proofs); ' +
    'they are followed from the genesis validators, so certificates stay verifiable after `node add`/`node remove`. ' +
    'With --rpc a running node (full or header-only) verifies it and also checks the block is the one it holds at that height.'
  static examples = [
    '<%= config.bin %> cert verify inj-001.cert.json --genesis ./net/genesis.json --json',
    '<%= config.bin %> cert verify inj-001.cert.json --home ./net/node0',
    '<%= config.bin %> cert verify inj-001.cert.json --rpc http://127.0.0.1:26650 --json',
  ]
  static args = {file: Args.string({description: 'certificate file from `tx proof`', required: true})}
  static flags = {
    ...signingFlags(),
    genesis: Flags.string({description: 'genesis file of the chain'}),
    home: homeFlag(),
    rpc: Flags.string({description: 'JSON-RPC URL of a running node that verifies it against its own headers', exclusive: ['genesis', 'home']}),
  }

  protected async execute() {
    const genesisPath = this.flags.genesis ?? (this.flags.home === undefined ? undefined : homePath(this.flags.home, 'genesis'))
    if (genesisPath === undefined && this.flags.rpc === undefined) throw new WichainError('USAGE', 'give --genesis FILE, --home DIR or --rpc URL')
    let document: unknown
    try {
      document = JSON.parse(readInputFile(this.args.file, 'certificate').toString('utf8'))
    } catch (error) {
      if (error instanceof WichainError) throw error
      throw new WichainError('VERIFICATION_FAILED', `${this.args.file} is not JSON`)
    }
    const check = genesisPath === undefined
      ? await clientFor({rpc: this.flags.rpc, key: this.flags.key, 'password-file': this.flags['password-file']}).checkTxCertificate(document)
      : verifyTxCertificate(document, readGenesisFile(genesisPath))
    if (!check.valid) throw new WichainError('VERIFICATION_FAILED', `certificate is invalid: ${check.reason}`, {...check})
    return check
  }
}
