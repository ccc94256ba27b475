import {crossOrgAccountAction} from '../../cli/accounts.js'
import {governedFlags, isConsortium} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {addressFlag} from '../../cli/incident.js'
import {sendFlags} from '../../cli/send.js'

export default class AccountEnable extends GovernedCommand<typeof AccountEnable> {
  static summary = 'Enable a disabled account through a committed tx (org admin role): its txs are admitted again'
  static description = 'On a consortium chain another organisation\'s account is enabled by proposal (accounts.enable.cross-org); see `account disable`.'
  static examples = ['<%= config.bin %> account enable --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --address 3f2a… --json']
  static flags = {...sendFlags(), ...governedFlags(), address: addressFlag({required: true})}

  protected async execute() {
    const consortium = await crossOrgAccountAction(this.flags, this.flags.address, await isConsortium(this.flags))
    return this.governed({contract: 'accounts', method: 'enable', args: {address: this.flags.address}}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}), {consortium})
  }
}
