/** Governance (version 2 chains): proposals and votes for consortium changes, offline-signed votes. */
export {createGovernanceContract} from './contract.js'
export {summaryOf} from './reads.js'
export {type ContractLookup} from './actions.js'
export {executedNodeAction, executedNodeChange} from './node-change.js'
export {
  GOVERNANCE_CONTRACT_NAME, GOVERNANCE_LIMITS, PROPOSAL_STATUSES, statusAt,
  type Evaluation, type ProposalAction, type ProposalRecord, type ProposalStatus, type Vote, type VoteMatch,
} from './records.js'
export {createSignedVote, verifySignedVote, SIGNED_VOTE_TYPE, type SignedVoteDocument, type VerifiedVote, type VoteRequest} from './votes.js'
