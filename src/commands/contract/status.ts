import {WichainCommand} from '../../cli/base.js'
import {nameFlag} from '../../cli/contract.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class ContractStatus extends WichainCommand<typeof ContractStatus> {
  static summary = 'Show a contract\'s record (version, code hash, status, deployer) and figures (calls, failures, gas, last error)'
  static examples = ['<%= config.bin %> contract status --rpc http://127.0.0.1:26600 --name counter --json']
  static flags = {rpc: rpcFlag(), home: homeFlag(), chain: chainFlag(), name: nameFlag({required: true}), ...signingFlags()}

  protected async execute() {
    const {result} = await clientFor(this.flags).query('contracts', 'status', {name: this.flags.name})
    return result as Record<string, unknown>
  }
}
