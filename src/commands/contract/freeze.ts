import {nameFlag} from '../../cli/contract.js'
import {GOVERNED_NOTE, governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

export default class ContractFreeze extends GovernedCommand<typeof ContractFreeze> {
  static summary = 'Freeze a contract: calls are refused until it is unfrozen (org admin role)'
  static description = GOVERNED_NOTE
  static examples = ['<%= config.bin %> contract freeze --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --name counter --json']
  static flags = {...sendFlags(), ...governedFlags(), name: nameFlag({required: true})}

  protected async execute() {
    return this.governed({contract: 'contracts', method: 'freeze', args: {name: this.flags.name}}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}))
  }
}
