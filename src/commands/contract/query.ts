import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {argsFlag, nameFlag, parseJsonFlag} from '../../cli/contract.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class ContractQuery extends WichainCommand<typeof ContractQuery> {
  static summary = 'Call a contract method read-only against committed state (no tx, nothing written)'
  static description = 'Works on frozen and destroyed contracts too: their state stays readable.'
  static examples = [`<%= config.bin %> contract query --rpc http://127.0.0.1:26600 --name counter --method get --json`]
  static flags = {
    ...signingFlags(),
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    name: nameFlag({required: true}),
    method: Flags.string({description: 'method name', required: true}),
    args: argsFlag(),
  }

  protected async execute() {
    const args = parseJsonFlag(this.flags.args, '--args')
    const {result} = await clientFor(this.flags).query(this.flags.name, this.flags.method, args)
    return {name: this.flags.name, method: this.flags.method, result}
  }
}
