import {accountChangeFlags, changeAccount} from '../../cli/accounts.js'
import {WichainCommand} from '../../cli/base.js'

export default class AccountGrant extends WichainCommand<typeof AccountGrant> {
  static summary = 'Give an account of your organisation a role, or a single permission (consortium chains; org admin)'
  static description =
    'A permission is a resource (see `policy list`) whose policy one signature meets (ANY, SELF): the account may then act on it alone. ' +
    'One account is never both orgadmin and auditor.'
  static examples = [
    '<%= config.bin %> account grant --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --role devops --json',
    '<%= config.bin %> account grant --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --permission archive.run --json',
  ]
  static flags = accountChangeFlags()

  protected async execute() {
    return changeAccount(this.flags, 'grant')
  }
}
