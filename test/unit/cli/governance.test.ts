/** How governed commands report a proposal: the action's result, the proposal while voting, the failure's code otherwise. */
import {expect} from 'chai'
import {governedResult, proposalFailure, settled, votingNote, type ProposalSummary} from '../../../src/cli/governance.js'
import {WichainError} from '../../../src/core/errors.js'
import type {CommittedReceipt} from '../../../src/cli/send.js'

const committed: CommittedReceipt = {txHash: 'ab'.repeat(32), height: 7, status: 'ok', result: {proposal: {}}, gasUsed: 0, events: []}
const proposal = (fields: Partial<ProposalSummary>): ProposalSummary =>
  ({id: 3, status: 'voting', needs: 1, resource: 'contracts.deploy', action: {contract: 'contracts', method: 'deploy'}, ...fields})
const shape = (receipt: CommittedReceipt) => ({txHash: receipt.txHash, height: receipt.height, contract: receipt.result})

describe('cli/governance', () => {
  it('prints the action\'s result as before, plus the proposal, when it ran', () => {
    const executed = proposal({status: 'executed', needs: 0, result: {name: 'counter'}})
    expect(governedResult(settled(committed, executed), shape)).to.deep.equal({txHash: committed.txHash, height: 7, contract: {name: 'counter'}, proposal: executed})
  })

  it('prints {txHash, height, proposal} while the proposal is voting, with a note for humans', () => {
    const voting = proposal({})
    const result = governedResult(settled(committed, voting), shape)
    expect(result).to.deep.equal({txHash: committed.txHash, height: 7, proposal: voting})
    expect(votingNote(result)).to.match(/proposal 3 .*needs 1 more/)
  })

  it('keeps the direct tx\'s output on version 1 chains', () => {
    expect(governedResult({committed: {...committed, result: {name: 'c'}}}, shape)).to.deep.equal({txHash: committed.txHash, height: 7, contract: {name: 'c'}})
  })

  it('turns a closed, unexecuted proposal into the failure\'s code', () => {
    const failed = proposal({status: 'failed', needs: 0, error: {code: 'INVALID_WASM', message: 'junk'}})
    expect(() => settled(committed, failed)).to.throw(WichainError).with.property('code', 'INVALID_WASM')
    expect(proposalFailure(proposal({status: 'expired', needs: 0})).code).to.equal('PROPOSAL_EXPIRED')
    expect(proposalFailure(proposal({status: 'rejected', needs: 0})).code).to.equal('PROPOSAL_CLOSED')
    expect(proposalFailure(proposal({status: 'revoked', needs: 0})).code).to.equal('PROPOSAL_CLOSED')
    expect(proposalFailure(proposal({status: 'failed', needs: 0, error: {code: 'NOT_A_CODE', message: 'x'}})).code).to.equal('CONTRACT_ERROR')
  })
})
