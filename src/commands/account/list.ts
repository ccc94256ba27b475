import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {accountRow, type AccountStatusJson} from '../../cli/incident.js'
import {renderTable} from '../../cli/output.js'

interface AccountPage {
  readonly total: number
  readonly offset: number
  readonly accounts: AccountStatusJson[]
}

export default class AccountList extends WichainCommand<typeof AccountList> {
  static summary = 'List the chain\'s accounts with their role and whether they are disabled'
  static examples = ['<%= config.bin %> account list --rpc http://127.0.0.1:26600 --disabled --json']
  static flags = {
    ...signingFlags(),
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    disabled: Flags.boolean({description: 'only the disabled accounts', default: false}),
    offset: Flags.integer({description: 'skip this many accounts', default: 0, min: 0}),
    limit: Flags.integer({description: 'at most this many accounts', default: 1000, min: 1, max: 1000}),
  }

  protected async execute(): Promise<AccountPage> {
    const args = {disabledOnly: this.flags.disabled, offset: this.flags.offset, limit: this.flags.limit}
    const {result} = await clientFor(this.flags).query('accounts', 'list', args)
    return result as AccountPage
  }

  protected render(result: AccountPage): void {
    this.log(renderTable(result.accounts.map(accountRow)))
    if (result.offset + result.accounts.length < result.total) this.log(`${result.total - result.offset - result.accounts.length} more: use --offset ${result.offset + result.accounts.length}`)
  }
}
