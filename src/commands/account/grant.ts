import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {addressFlag} from '../../cli/incident.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class AccountGrant extends WichainCommand<typeof AccountGrant> {
  static summary = 'Give an account of your organisation a role, or a single permission (consortium chains; org admin)'
  static description =
    'A permission is a resource (see `policy list`) whose policy one signature meets (ANY, SELF): the account may then act on it alone. ' +
    'One account is never both orgadmin and auditor.'
  static examples = [
    '<%= config.bin %> account grant --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --role devops --json',
    '<%= config.bin %> account grant --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --permission archive.run --json',
  ]
  static flags = {
    ...sendFlags(),
    address: addressFlag({required: true}),
    role: Flags.string({description: 'a role: orgadmin, auditor, user, devops', exactlyOne: ['role', 'permission']}),
    permission: Flags.string({description: 'a resource, e.g. archive.run', exactlyOne: ['role', 'permission']}),
  }

  protected async execute() {
    const change = this.flags.role === undefined ? {permission: this.flags.permission} : {role: this.flags.role}
    const committed = await sendAndWait(this.flags, {contract: 'accounts', method: 'grant', args: {address: this.flags.address, ...change}})
    return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
  }
}
