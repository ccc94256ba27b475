import {Args} from '@oclif/core'
import {governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

export default class OrgRemove extends GovernedCommand<typeof OrgRemove> {
  static summary = 'Remove an organisation from the consortium (by proposal: default a MAJORITY of org admins); its accounts and nodes stop counting'
  static description = 'Until enough organisations approve, prints {proposal:{id, status, needs}} and exits 0; --wait waits. The last active organisation cannot be removed.'
  static examples = ['<%= config.bin %> org remove org3 --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --wait --json']
  static args = {id: Args.string({description: 'organisation id', required: true})}
  static flags = {...sendFlags(), ...governedFlags()}

  protected async execute() {
    return this.governed({contract: 'orgs', method: 'remove', args: {id: this.args.id}}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}))
  }
}
