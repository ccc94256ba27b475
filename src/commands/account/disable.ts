import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {addressFlag} from '../../cli/incident.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class AccountDisable extends WichainCommand<typeof AccountDisable> {
  static summary = 'Disable an account through a committed tx (org admin role): its txs are refused with ACCOUNT_DISABLED'
  static description = 'Incident response, e.g. for a leaked key. The last enabled org admin cannot be disabled. Undo with `account enable`.'
  static examples = ['<%= config.bin %> account disable --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --address 3f2a… --reason "key leaked" --json']
  static flags = {
    ...sendFlags(),
    address: addressFlag({required: true}),
    reason: Flags.string({description: 'why (recorded on chain, at most 256 characters)'}),
  }

  protected async execute() {
    const args = {address: this.flags.address, ...(this.flags.reason === undefined ? {} : {reason: this.flags.reason})}
    const committed = await sendAndWait(this.flags, {contract: 'accounts', method: 'disable', args})
    return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
  }
}
