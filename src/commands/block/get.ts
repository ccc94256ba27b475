import {Args} from '@oclif/core'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class BlockGet extends WichainCommand<typeof BlockGet> {
  static summary = 'Show a block header, its tx hashes and its commit certificate'
  static examples = ['<%= config.bin %> block get latest --home ./net/node0 --json', '<%= config.bin %> block get 12 --rpc http://127.0.0.1:26600']
  static args = {which: Args.string({description: 'height, "latest", or a block hash', required: true})}
  static flags = {rpc: rpcFlag(), home: homeFlag(), chain: chainFlag(), ...signingFlags()}

  protected async execute() {
    const which = this.args.which
    const client = clientFor(this.flags)
    if (which === 'latest') return client.getBlock('latest')
    if (/^\d+$/.test(which)) return client.getBlock(Number(which))
    if (/^(0x)?[0-9a-fA-F]{64}$/.test(which)) return client.getBlock({hash: which})
    throw new WichainError('USAGE', 'block: give a height, "latest", or a 64-hex block hash')
  }
}
