import {Args, Flags} from '@oclif/core'
import {parsePolicy} from '../../core/authz/policy.js'
import {WichainError} from '../../core/errors.js'
import {governedFlags} from '../../cli/governance.js'
import {GovernedCommand} from '../../cli/governed-command.js'
import {sendFlags} from '../../cli/send.js'

const list = (text: string | undefined): string[] => (text === undefined ? [] : text.split(',').map((item) => item.trim()).filter((item) => item !== ''))

export default class PolicySet extends GovernedCommand<typeof PolicySet> {
  static summary = 'Set the policy of a resource, or return it to its default (by proposal: policy.set, default a MAJORITY of org admins)'
  static description =
    'Rules: ANY, ALL, MAJORITY, SELF, FORBIDDEN, a count n, or a fraction "a/b" of the organisations in scope (--orgs, default all active); ' +
    'a signature counts when its signer holds one of --roles. Proposals already voting keep the policy they were opened under. ' +
    'Until enough organisations approve, prints {proposal:{id, status, needs}} and exits 0; --wait waits.'
  static examples = [
    '<%= config.bin %> policy set contracts.deploy --rule 2 --roles orgadmin --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --json',
    '<%= config.bin %> policy set --resource call:counter --rule ANY --roles user,devops --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --wait --json',
    '<%= config.bin %> policy set contracts.deploy --default --rpc http://127.0.0.1:26600 --key net/orgs/org1/orgadmin.json --json',
  ]
  static args = {resource: Args.string({description: 'a resource (see `policy list`); or --resource'})}
  static flags = {
    ...sendFlags(),
    ...governedFlags(),
    resource: Flags.string({description: 'the resource (instead of the argument)'}),
    rule: Flags.string({description: 'ANY, ALL, MAJORITY, SELF, FORBIDDEN, n or "a/b"', exactlyOne: ['rule', 'default']}),
    orgs: Flags.string({description: 'comma-separated organisations in scope (default: every active one)'}),
    roles: Flags.string({description: 'comma-separated roles whose signatures count (default: any role)'}),
    default: Flags.boolean({description: 'return the resource to its default policy', exactlyOne: ['rule', 'default']}),
  }

  protected async execute() {
    const resource = this.args.resource ?? this.flags.resource
    if (resource === undefined || (this.args.resource !== undefined && this.flags.resource !== undefined)) {
      throw new WichainError('USAGE', 'name the resource once: `policy set RESOURCE …` or --resource RESOURCE')
    }
    if (this.flags.default && (this.flags.orgs !== undefined || this.flags.roles !== undefined)) throw new WichainError('USAGE', '--default takes no --orgs or --roles')
    // Checked here as the chain will check it, before anything is signed.
    const policy = this.flags.default ? null : parsePolicy({rule: this.flags.rule, orgs: list(this.flags.orgs), roles: list(this.flags.roles)})
    const args = {resource, policy: policy === null ? null : {rule: policy.rule, orgs: [...policy.orgs], roles: [...policy.roles]}}
    return this.governed({contract: 'policy', method: 'set', args}, (committed) => ({txHash: committed.txHash, height: committed.height, ...(committed.result as object)}))
  }
}
