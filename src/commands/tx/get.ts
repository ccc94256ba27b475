import {Args} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class TxGet extends WichainCommand<typeof TxGet> {
  static summary = 'Show a tx by hash: height, status, body and receipt'
  static examples = ['<%= config.bin %> tx get 9f2c…e1 --rpc http://127.0.0.1:26600 --json']
  static args = {hash: Args.string({description: 'tx hash (hex)', required: true})}
  static flags = {rpc: rpcFlag(), home: homeFlag(), chain: chainFlag(), ...signingFlags()}

  protected async execute() {
    return clientFor(this.flags).getTx(this.args.hash)
  }
}
