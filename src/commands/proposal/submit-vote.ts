import {Args} from '@oclif/core'
import {WichainError} from '../../core/errors.js'
import {WichainCommand} from '../../cli/base.js'
import {readInputFile} from '../../cli/context.js'
import {proposalFailure, type ProposalSummary} from '../../cli/governance.js'
import {sendAndWait, sendFlags} from '../../cli/send.js'

export default class ProposalSubmitVote extends WichainCommand<typeof ProposalSubmitVote> {
  static summary = 'Carry a signed vote (from `proposal sign`) to the chain in a tx of --key, any registered account'
  static description =
    'The vote counts as its signer\'s, not the carrier\'s. A forged or edited vote is refused (BAD_SIGNATURE), one past its expiry height ' +
    '(VOTE_EXPIRED), one already counted (ALREADY_EXISTS), one for a closed proposal (PROPOSAL_CLOSED / PROPOSAL_EXPIRED). ' +
    'Prints {txHash, height, proposal:{id, status, needs, …}} like `proposal vote`.'
  static examples = ['<%= config.bin %> proposal submit-vote vote.json --rpc http://127.0.0.1:26600 --key net/orgs/org3/user.json --json']
  static args = {file: Args.string({description: 'the signed vote file', required: true})}
  static flags = sendFlags()

  protected async execute() {
    const text = readInputFile(this.args.file, 'vote file').toString('utf8')
    let vote: unknown
    try {
      vote = JSON.parse(text)
    } catch (error) {
      throw new WichainError('INVALID_ARGUMENT', `${this.args.file} is not JSON (a signed vote from \`proposal sign\`): ${(error as Error).message}`)
    }
    const committed = await sendAndWait(this.flags, {contract: 'governance', method: 'submitVote', args: {vote}})
    const {proposal} = committed.result as {proposal: ProposalSummary}
    // Rejected by this vote is an outcome, not an error; an action that failed once approved is.
    if (proposal.status === 'failed') throw proposalFailure(proposal, {txHash: committed.txHash, height: committed.height})
    return {txHash: committed.txHash, height: committed.height, proposal}
  }
}
