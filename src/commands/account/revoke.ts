import {accountChangeFlags, changeAccount} from '../../cli/accounts.js'
import {WichainCommand} from '../../cli/base.js'

export default class AccountRevoke extends WichainCommand<typeof AccountRevoke> {
  static summary = 'Take a role or a single permission from an account of your organisation (consortium chains; org admin): refused at once from then on'
  static description = 'An account keeps at least one role (disable it instead), and an organisation its last enabled org admin.'
  static examples = [
    '<%= config.bin %> account revoke --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --role devops --json',
    '<%= config.bin %> account revoke --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --permission archive.run --json',
  ]
  static flags = accountChangeFlags()

  protected async execute() {
    return changeAccount(this.flags, 'revoke')
  }
}
