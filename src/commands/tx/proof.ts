import {Args, Flags} from '@oclif/core'
import {writeFileSync} from 'node:fs'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class TxProof extends WichainCommand<typeof TxProof> {
  static summary = 'Export a tx certificate (上链凭证): tx, receipt, Merkle proofs, header, commit certificate'
  static description = 'The file verifies offline with `wichain cert verify FILE --genesis genesis.json`.'
  static examples = ['<%= config.bin %> tx proof 9f2c…e1 --rpc http://127.0.0.1:26600 --out inj-001.cert.json']
  static args = {hash: Args.string({description: 'tx hash (hex)', required: true})}
  static flags = {
    ...signingFlags(),
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    out: Flags.string({description: 'certificate file to write', required: true}),
  }

  protected async execute() {
    const certificate = await clientFor(this.flags).getTxProof(this.args.hash)
    writeFileSync(this.flags.out, `${JSON.stringify(certificate, null, 2)}\n`)
    return {txHash: certificate.txHash, height: certificate.height, blockHash: certificate.blockHash, status: certificate.summary.status, file: this.flags.out}
  }
}
