import {GOVERNED_NOTE} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {nodeKeyOf, nodeTargetFlags} from '../../cli/incident.js'

export default class NodeDisable extends GovernedCommand<typeof NodeDisable> {
  static summary = 'Disable a node through a committed tx (org admin role): it stops voting and every node drops its connections'
  static description =
    'Incident response: the node keeps its place in `node list` (marked disabled) but is no validator from the height after the ' +
    'tx\'s block, and the other nodes close its connections and refuse it until `node enable`. The last enabled validator cannot be disabled.' +
    ' ' + GOVERNED_NOTE
  static examples = [
    '<%= config.bin %> node disable --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --name node3 --json',
    '<%= config.bin %> node disable --home net/node0 --key net/admin/orgadmin.json --public-key 04ab… --json',
  ]
  static flags = nodeTargetFlags()

  protected async execute() {
    const publicKey = await nodeKeyOf(this.flags)
    return this.governed({contract: 'nodes', method: 'disable', args: {publicKey}}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}))
  }
}
