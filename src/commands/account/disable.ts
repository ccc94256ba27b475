import {Flags} from '@oclif/core'
import {crossOrgAccountAction} from '../../cli/accounts.js'
import {governedFlags, isConsortium} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {addressFlag} from '../../cli/incident.js'
import {sendFlags} from '../../cli/send.js'

export default class AccountDisable extends GovernedCommand<typeof AccountDisable> {
  static summary = 'Disable an account through a committed tx (org admin role): its txs are refused with ACCOUNT_DISABLED'
  static description =
    'Incident response, e.g. for a leaked key. The last enabled org admin cannot be disabled. Undo with `account enable`. ' +
    'On a consortium chain an org admin disables its own organisation\'s accounts at once; another organisation\'s account is a proposal ' +
    '(accounts.disable.cross-org, default a MAJORITY of org admins): {proposal:{id, status, needs}} until it passes, --wait waits.'
  static examples = ['<%= config.bin %> account disable --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --address 3f2a… --reason "key leaked" --json']
  static flags = {
    ...sendFlags(),
    ...governedFlags(),
    address: addressFlag({required: true}),
    reason: Flags.string({description: 'why (recorded on chain, at most 256 characters)'}),
  }

  protected async execute() {
    const args = {address: this.flags.address, ...(this.flags.reason === undefined ? {} : {reason: this.flags.reason})}
    const consortium = await crossOrgAccountAction(this.flags, this.flags.address, await isConsortium(this.flags))
    return this.governed({contract: 'accounts', method: 'disable', args}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}), {consortium})
  }
}
