import {GOVERNED_NOTE} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {nodeKeyOf, nodeTargetFlags} from '../../cli/incident.js'

export default class NodeEnable extends GovernedCommand<typeof NodeEnable> {
  static summary = 'Enable a disabled node through a committed tx (org admin role): it may connect, sync and vote again'
  static description =
    'The other nodes accept and dial it again; it catches up by block sync and, if a validator, votes from the height after the tx\'s block.' +
    ' ' + GOVERNED_NOTE
  static examples = ['<%= config.bin %> node enable --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --name node3 --json']
  static flags = nodeTargetFlags()

  protected async execute() {
    const publicKey = await nodeKeyOf(this.flags)
    return this.governed({contract: 'nodes', method: 'enable', args: {publicKey}}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}))
  }
}
