import {Args} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class OrgShow extends WichainCommand<typeof OrgShow> {
  static summary = 'Show one organisation: name, status, encryption key, node keys'
  static examples = ['<%= config.bin %> org show org2 --home net/node0 --json']
  static args = {id: Args.string({description: 'organisation id', required: true})}
  static flags = {...signingFlags(), rpc: rpcFlag(), home: homeFlag(), chain: chainFlag()}

  protected async execute(): Promise<object> {
    const {result} = await clientFor(this.flags).query('orgs', 'get', {id: this.args.id})
    return result as object
  }
}
