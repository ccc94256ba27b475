import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class NodeAdd extends WichainCommand<typeof NodeAdd> {
  static summary = 'Add a node to the chain\'s node set through a committed tx (org admin role)'
  static description =
    'A validator votes from the height after the tx\'s block; an observer may connect and sync but never votes. ' +
    'Get a node\'s public key with `key export --key HOME/node.key.json --format hex`. With --address, running nodes dial it.'
  static aliases = ['add-node']
  static examples = [
    '<%= config.bin %> node add --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --public-key 04ab… --name node4 --address 127.0.0.1:26660 --json',
  ]
  static flags = {
    ...sendFlags(),
    'public-key': Flags.string({description: 'hex of the node\'s 65-byte SM2 public key', required: true}),
    name: Flags.string({description: 'node name', required: true}),
    observer: Flags.boolean({description: 'add as an observer (syncs, does not vote)', default: false}),
    address: Flags.string({description: 'host:port of the node\'s P2P listener'}),
  }

  protected async execute() {
    const args = {
      publicKey: this.flags['public-key'],
      name: this.flags.name,
      role: this.flags.observer ? 'observer' : 'validator',
      ...(this.flags.address === undefined ? {} : {address: this.flags.address}),
    }
    const committed = await sendAndWait(this.flags, {contract: 'nodes', method: 'add', args})
    return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
  }
}
