import {Flags} from '@oclif/core'
import {WichainCommand} from '../../cli/base.js'
import {proposalFailure, type ProposalSummary} from '../../cli/governance.js'
import {proposalIdArg} from '../../cli/proposals.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class ProposalVote extends WichainCommand<typeof ProposalVote> {
  static summary = 'Vote on a proposal with --key (approve or reject); the action runs in this tx when the vote meets its policy'
  static description =
    'Prints {txHash, height, proposal:{id, status, needs, …}}: status executed when this vote met the policy (the action\'s result in proposal.result), ' +
    'voting while more organisations must approve. A vote that completes a proposal whose action then fails exits with the action\'s error code. ' +
    'Only a signer whose vote would count under the proposal\'s policy may vote (UNAUTHORIZED otherwise); each signer votes once (ALREADY_EXISTS).'
  static examples = ['<%= config.bin %> proposal vote 3 --approve --rpc http://127.0.0.1:26600 --key net/orgs/org2/orgadmin.json --json']
  static args = {id: proposalIdArg}
  static flags = {
    ...sendFlags(),
    approve: Flags.boolean({description: 'approve the proposal', exactlyOne: ['approve', 'reject']}),
    reject: Flags.boolean({description: 'reject the proposal', exactlyOne: ['approve', 'reject']}),
  }

  protected async execute() {
    const committed = await sendAndWait(this.flags, {contract: 'governance', method: 'vote', args: {id: this.args.id, approve: this.flags.approve === true}})
    const {proposal} = committed.result as {proposal: ProposalSummary}
    // Rejected by this vote is an outcome, not an error; an action that failed once approved is.
    if (proposal.status === 'failed') throw proposalFailure(proposal, {txHash: committed.txHash, height: committed.height})
    return {txHash: committed.txHash, height: committed.height, proposal}
  }
}
