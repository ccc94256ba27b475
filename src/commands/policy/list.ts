import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'

export interface PolicyJson {
  readonly resource: string
  readonly kind: string
  readonly policy: {readonly rule: string | number; readonly orgs: readonly string[]; readonly roles: readonly string[]}
  readonly text: string
  readonly proposers: readonly string[]
  readonly overridden: boolean
  readonly description: string
}

export default class PolicyList extends WichainCommand<typeof PolicyList> {
  static summary = 'The policy in force for every resource (consortium chains): the default table with the overrides set on chain'
  static examples = ['<%= config.bin %> policy list --home net/node0', '<%= config.bin %> policy list --rpc http://127.0.0.1:26600 --key net/orgs/org1/auditor.json --json']
  static flags = {...signingFlags(), rpc: rpcFlag(), home: homeFlag(), chain: chainFlag()}

  protected async execute(): Promise<{resources: PolicyJson[]}> {
    const {result} = await clientFor(this.flags).query('policy', 'list', {})
    return result as {resources: PolicyJson[]}
  }

  protected render(result: {resources: PolicyJson[]}): void {
    const rows = result.resources.map((entry) => ({resource: entry.resource, kind: entry.kind, policy: entry.text, 'may propose': entry.proposers.join(', '), overridden: entry.overridden ? 'yes' : ''}))
    this.log(renderTable(rows, ['resource', 'kind', 'policy', 'may propose', 'overridden']))
  }
}
