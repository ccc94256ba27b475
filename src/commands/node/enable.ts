import {WichainCommand} from '../../cli/base.js'
import {nodeTargetFlags, setNodeDisabled} from '../../cli/incident.js'

export default class NodeEnable extends WichainCommand<typeof NodeEnable> {
  static summary = 'Enable a disabled node through a committed tx (org admin role): it may connect, sync and vote again'
  static description = 'The other nodes accept and dial it again; it catches up by block sync and, if a validator, votes from the height after the tx\'s block.'
  static examples = ['<%= config.bin %> node enable --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --name node3 --json']
  static flags = nodeTargetFlags()

  protected async execute() {
    return setNodeDisabled(this.flags, 'enable')
  }
}
