import {Flags} from '@oclif/core'
import {GOVERNED_NOTE, governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

export default class NodeRemove extends GovernedCommand<typeof NodeRemove> {
  static summary = 'Remove a node from the chain\'s node set through a committed tx (org admin role)'
  static description =
    'It stops voting from the height after the tx\'s block. The last validator cannot be removed.' +
    ' ' + GOVERNED_NOTE
  static examples = ['<%= config.bin %> node remove --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --public-key 04ab… --json']
  static flags = {...sendFlags(), ...governedFlags(), 'public-key': Flags.string({description: 'hex of the node\'s 65-byte SM2 public key', required: true})}

  protected async execute() {
    return this.governed({contract: 'nodes', method: 'remove', args: {publicKey: this.flags['public-key']}}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}))
  }
}
