import {Args} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class PolicyShow extends WichainCommand<typeof PolicyShow> {
  static summary = 'The policy in force for one resource: rule, organisations, roles, who may propose, overridden or default'
  static examples = ['<%= config.bin %> policy show contracts.deploy --home net/node0 --json']
  static args = {resource: Args.string({description: 'a resource (see `policy list`), e.g. contracts.deploy or call:counter.inc', required: true})}
  static flags = {...signingFlags(), rpc: rpcFlag(), home: homeFlag(), chain: chainFlag()}

  protected async execute(): Promise<object> {
    const {result} = await clientFor(this.flags).query('policy', 'get', {resource: this.args.resource})
    return result as object
  }
}
