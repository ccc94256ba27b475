import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'

export default class ParamsShow extends WichainCommand<typeof ParamsShow> {
  static summary = 'The chain parameters in force (the genesis ones, with the changes made by proposal on a consortium chain)'
  static examples = ['<%= config.bin %> params show --home net/node0 --json']
  static flags = {...signingFlags(), rpc: rpcFlag(), home: homeFlag(), chain: chainFlag()}

  protected async execute(): Promise<object> {
    const {result} = await clientFor(this.flags).query('params', 'get', {})
    return result as object
  }
}
