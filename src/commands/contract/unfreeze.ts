import {WichainCommand} from '../../cli/base.js'
import {nameFlag} from '../../cli/contract.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class ContractUnfreeze extends WichainCommand<typeof ContractUnfreeze> {
  static summary = 'Unfreeze a frozen contract (org admin role)'
  static examples = ['<%= config.bin %> contract unfreeze --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --name counter --json']
  static flags = {...sendFlags(), name: nameFlag({required: true})}

  protected async execute() {
    const committed = await sendAndWait(this.flags, {contract: 'contracts', method: 'unfreeze', args: {name: this.flags.name}})
    return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
  }
}
