import {WichainCommand} from '../../cli/base.js'
import {addressFlag} from '../../cli/incident.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class AccountEnable extends WichainCommand<typeof AccountEnable> {
  static summary = 'Enable a disabled account through a committed tx (org admin role): its txs are admitted again'
  static examples = ['<%= config.bin %> account enable --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --address 3f2a… --json']
  static flags = {...sendFlags(), address: addressFlag({required: true})}

  protected async execute() {
    const committed = await sendAndWait(this.flags, {contract: 'accounts', method: 'enable', args: {address: this.flags.address}})
    return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
  }
}
