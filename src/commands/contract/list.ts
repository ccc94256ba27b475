import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'

type Entry = Record<string, unknown> & {name: string}
interface Page {
  contracts: Entry[]
  next: string | null
}

/** Pages of the manager's list; bounded like the registry (1024 contracts, 256 per page). */
const PAGES_MAX = 8

export default class ContractList extends WichainCommand<typeof ContractList> {
  static summary = 'List the user contracts of a chain: name, version, status, calls, failures, gas'
  static examples = ['<%= config.bin %> contract list --rpc http://127.0.0.1:26600 --json']
  static flags = {rpc: rpcFlag(), home: homeFlag(), chain: chainFlag(), ...signingFlags()}

  protected async execute(): Promise<{contracts: Entry[]}> {
    const client = clientFor(this.flags)
    const contracts: Entry[] = []
    let after: string | null = ''
    for (let page = 0; page < PAGES_MAX && after !== null; page++) {
      const {result} = await client.query('contracts', 'list', after === '' ? {} : {after})
      const listed = result as Page
      contracts.push(...listed.contracts)
      after = listed.next
    }
    return {contracts}
  }

  protected render(result: {contracts: Entry[]}): void {
    this.log(result.contracts.length === 0 ? 'no contracts' : renderTable(result.contracts))
  }
}
