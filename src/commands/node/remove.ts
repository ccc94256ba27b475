import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class NodeRemove extends WichainCommand<typeof NodeRemove> {
  static summary = 'Remove a node from the chain\'s node set through a committed tx (org admin role)'
  static description = 'It stops voting from the height after the tx\'s block. The last validator cannot be removed.'
  static examples = ['<%= config.bin %> node remove --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --public-key 04ab… --json']
  static flags = {...sendFlags(), 'public-key': Flags.string({description: 'hex of the node\'s 65-byte SM2 public key', required: true})}

  protected async execute() {
    const committed = await sendAndWait(this.flags, {contract: 'nodes', method: 'remove', args: {publicKey: this.flags['public-key']}})
    return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
  }
}
