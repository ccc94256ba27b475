import {Flags} from '@oclif/core'
import {WichainError} from '../../core/errors.js'
import {governedFlags, isConsortium} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

export default class NodeAdd extends GovernedCommand<typeof NodeAdd> {
  static summary = 'Add a node to the chain\'s node set through a committed tx (org admin role)'
  static description =
    'A validator votes from the height after the tx\'s block; an observer may connect and sync but never votes. ' +
    'Get a node\'s public key with `key export --key HOME/node.key.json --format hex`. With --address, running nodes dial it. ' +
    'On a consortium chain (organisations) the node belongs to --org and joins by proposal (default policy: a MAJORITY of org admins): ' +
    'until enough organisations approve the command prints {proposal:{id, status, needs}} and exits 0; --wait waits for the outcome.'
  static aliases = ['add-node']
  static examples = [
    '<%= config.bin %> node add --rpc http://127.0.0.1:26600 --key net/admin/orgadmin.json --public-key 04ab… --name node4 --address 127.0.0.1:26660 --json',
  ]
  static flags = {
    ...sendFlags(),
    ...governedFlags(),
    'public-key': Flags.string({description: 'hex of the node\'s 65-byte SM2 public key', required: true}),
    name: Flags.string({description: 'node name', required: true}),
    observer: Flags.boolean({description: 'add as an observer (syncs, does not vote)', default: false}),
    address: Flags.string({description: 'host:port of the node\'s P2P listener'}),
    org: Flags.string({description: 'the organisation running the node (consortium chains: required)'}),
  }

  protected async execute() {
    const consortium = await isConsortium(this.flags)
    if (consortium && this.flags.org === undefined) throw new WichainError('USAGE', 'on a consortium chain a node belongs to an organisation: give --org ORG (see `wichain org list`)')
    if (!consortium && this.flags.org !== undefined) throw new WichainError('USAGE', '--org applies to consortium chains only (this chain has no organisations)')
    const args = {
      publicKey: this.flags['public-key'],
      name: this.flags.name,
      role: this.flags.observer ? 'observer' : 'validator',
      ...(this.flags.address === undefined ? {} : {address: this.flags.address}),
      ...(this.flags.org === undefined ? {} : {org: this.flags.org}),
    }
    return this.governed({contract: 'nodes', method: 'add', args}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}), {consortium})
  }
}
