import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'

interface OrgJson {
  readonly id: string
  readonly name: string
  readonly status: string
  readonly encryptionKey: string
  readonly nodes: readonly string[]
  readonly height: number
}

interface OrgPage {
  readonly total: number
  readonly offset: number
  readonly orgs: OrgJson[]
}

export default class OrgList extends WichainCommand<typeof OrgList> {
  static summary = 'List the consortium\'s organisations (consortium chains): id, name, status, nodes'
  static examples = ['<%= config.bin %> org list --home net/node0 --json']
  static flags = {
    ...signingFlags(),
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    offset: Flags.integer({description: 'skip this many organisations', default: 0, min: 0}),
    limit: Flags.integer({description: 'at most this many organisations', default: 1000, min: 1, max: 1000}),
  }

  protected async execute(): Promise<OrgPage> {
    const {result} = await clientFor(this.flags).query('orgs', 'list', {offset: this.flags.offset, limit: this.flags.limit})
    return result as OrgPage
  }

  protected render(result: OrgPage): void {
    this.log(renderTable(result.orgs.map((org) => ({id: org.id, name: org.name, status: org.status, nodes: org.nodes.length, since: org.height}))))
  }
}
