import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {addressFlag} from '../../cli/incident.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class AccountRevoke extends WichainCommand<typeof AccountRevoke> {
  static summary = 'Take a role or a single permission from an account of your organisation (consortium chains; org admin): refused at once from then on'
  static description = 'An account keeps at least one role (disable it instead), and an organisation its last enabled org admin.'
  static examples = [
    '<%= config.bin %> account revoke --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --role devops --json',
    '<%= config.bin %> account revoke --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --address 3f2a… --permission archive.run --json',
  ]
  static flags = {
    ...sendFlags(),
    address: addressFlag({required: true}),
    role: Flags.string({description: 'a role: orgadmin, auditor, user, devops', exactlyOne: ['role', 'permission']}),
    permission: Flags.string({description: 'a resource, e.g. archive.run', exactlyOne: ['role', 'permission']}),
  }

  protected async execute() {
    const change = this.flags.role === undefined ? {permission: this.flags.permission} : {role: this.flags.role}
    const committed = await sendAndWait(this.flags, {contract: 'accounts', method: 'revoke', args: {address: this.flags.address, ...change}})
    return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
  }
}
