import {WichainCommand} from '../../cli/base.js'
import {accountOf, type AccountJson} from '../../cli/accounts.js'
import {signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {isConsortium} from '../../cli/governance.js'
import {addressFlag} from '../../cli/incident.js'

export default class AccountShow extends WichainCommand<typeof AccountShow> {
  static summary = 'Show one account (same as `account status`): name, role(s), organisation (consortium chains), and whether (since when, why, by whom) it is disabled'
  static examples = ['<%= config.bin %> account show --rpc http://127.0.0.1:26600 --address 3f2a… --json']
  static flags = {rpc: rpcFlag(), home: homeFlag(), chain: chainFlag(), address: addressFlag({required: true}), ...signingFlags()}

  protected async execute(): Promise<AccountJson> {
    return accountOf(this.flags, this.flags.address, await isConsortium(this.flags))
  }
}
