import {WichainCommand} from '../../cli/base.js'
import type {ProposalSummary} from '../../cli/governance.js'
import {proposalIdArg} from '../../cli/proposals.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class ProposalRevoke extends WichainCommand<typeof ProposalRevoke> {
  static summary = 'Withdraw a proposal still voting (its proposer, or an org admin of the proposer\'s organisation)'
  static examples = ['<%= config.bin %> proposal revoke 3 --rpc http://127.0.0.1:26600 --key net/orgs/org1/devops.json --json']
  static args = {id: proposalIdArg}
  static flags = sendFlags()

  protected async execute() {
    const committed = await sendAndWait(this.flags, {contract: 'governance', method: 'revoke', args: {id: this.args.id}})
    return {txHash: committed.txHash, height: committed.height, proposal: (committed.result as {proposal: ProposalSummary}).proposal}
  }
}
