import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {addressFlag, type AccountStatusJson} from '../../cli/incident.js'

export default class AccountStatus extends WichainCommand<typeof AccountStatus> {
  static summary = 'Show one account: name, role, and whether (since when, why, by whom) it is disabled'
  static examples = ['<%= config.bin %> account status --rpc http://127.0.0.1:26600 --address 3f2a… --json']
  static flags = {rpc: rpcFlag(), home: homeFlag(), chain: chainFlag(), address: addressFlag({required: true}), ...signingFlags()}

  protected async execute(): Promise<AccountStatusJson> {
    const {result} = await clientFor(this.flags).query('accounts', 'get', {address: this.flags.address})
    return result as AccountStatusJson
  }
}
