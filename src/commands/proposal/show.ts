import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {chainFlag, homeFlag, rpcFlag} from '../../cli/flags.js'
import {proposalIdArg, showProposal, type ProposalShowJson} from '../../cli/proposals.js'
import {renderTable, scalar} from '../../cli/output.js'

export default class ProposalShow extends WichainCommand<typeof ProposalShow> {
  static summary = 'Show a proposal: action, the policy it was opened under, status, needs, votes, and which signature counted for which clause'
  static description =
    'The evaluation is the one stored when the votes were last counted, so an auditor can re-check the decision: each vote with its signer, ' +
    'organisation, direction, whether it counted and why (the role or permission that met the policy, or what it lacked).'
  static examples = ['<%= config.bin %> proposal show 3 --home net/node0 --json']
  static args = {id: proposalIdArg}
  static flags = {...signingFlags(), rpc: rpcFlag(), home: homeFlag(), chain: chainFlag()}

  protected async execute(): Promise<ProposalShowJson> {
    return showProposal(clientFor(this.flags), this.args.id)
  }

  protected render(result: ProposalShowJson): void {
    const lines = [
      `proposal ${result.id}: ${result.status}${result.status === 'voting' ? ` (needs ${result.needs} more organisation(s))` : ''}`,
      `action    ${result.action.contract}.${result.action.method} ${scalar(result.action.args)}`,
      `resource  ${result.resource}${result.ownerOrg === '' ? '' : ` (owner ${result.ownerOrg})`}`,
      `policy    ${result.policyText} (as opened; in scope: ${result.evaluation.scope.join(', ') || 'none'})`,
      `proposer  ${result.proposer.address} (${result.proposer.org}) at height ${result.createdHeight}; expires after height ${result.expiryHeight}`,
      `approved  ${result.evaluation.approvedBy.join(', ') || '-'}; rejected ${result.evaluation.rejectedBy.join(', ') || '-'} (counted at height ${result.evaluation.height})`,
      ...(result.note === '' ? [] : [`note      ${result.note}`]),
      ...(result.error === null ? [] : [`error     ${result.error.code}: ${result.error.message}`]),
    ]
    this.log(lines.join('\n'))
    this.log(renderTable(result.clauses.map((clause) => ({
      signer: clause.address, org: clause.org, vote: clause.approve ? 'approve' : 'reject', offline: clause.offline ? 'yes' : '', counted: clause.counted ? 'yes' : 'no', why: clause.reason, height: clause.height,
    }))))
  }
}

