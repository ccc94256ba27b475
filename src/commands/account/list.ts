import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {accountPage, accountRow, type AccountPage} from '../../cli/accounts.js'
import {signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {isConsortium} from '../../cli/governance.js'
import {renderTable} from '../../cli/output.js'

export default class AccountList extends WichainCommand<typeof AccountList> {
  static summary = 'List the chain\'s accounts with their role(s) and whether they are disabled (on a consortium chain: their organisation too)'
  static examples = ['<%= config.bin %> account list --rpc http://127.0.0.1:26600 --disabled --json', '<%= config.bin %> account list --home net/node0 --org org2 --json']
  static flags = {
    ...signingFlags(),
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    org: Flags.string({description: 'only this organisation\'s accounts (consortium chains)'}),
    disabled: Flags.boolean({description: 'only the disabled accounts', default: false}),
    offset: Flags.integer({description: 'skip this many accounts', default: 0, min: 0}),
    limit: Flags.integer({description: 'at most this many accounts', default: 1000, min: 1, max: 1000}),
  }

  protected async execute(): Promise<AccountPage> {
    const consortium = await isConsortium(this.flags)
    return accountPage(this.flags, {org: this.flags.org, disabledOnly: this.flags.disabled, offset: this.flags.offset, limit: this.flags.limit}, consortium)
  }

  protected render(result: AccountPage): void {
    this.log(renderTable(result.accounts.map(accountRow)))
    if (result.offset + result.accounts.length < result.total) this.log(`${result.total - result.offset - result.accounts.length} more: use --offset ${result.offset + result.accounts.length}`)
  }
}
