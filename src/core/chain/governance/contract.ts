/**
 * `governance` (version 2 chains): proposals and votes for consortium changes. Every method
 * decides who may call it (`selfAuthorizing`): the executor's one-signer policy check does not
 * apply, since a proposal gathers several organisations' signatures over several txs.
 *
 *   propose {action: {contract, method, args}, expiryBlocks?, note?}
 *   vote {id, approve}
 *   submitVote {vote: <signed vote document>}        (votes.ts; any account carries it)
 *   revoke {id}                                       (the proposer, or an orgadmin of its org)
 *   get {id}, list {status?, offset?, limit?}         (read-only)
 *
 * A write answers `{proposal: {id, status, needs, resource, action: {contract, method}, result?,
 * error?}}`. The action runs in the tx whose vote meets the policy, so a proposal whose one
 * signature already meets it (ANY, SELF) runs in the proposing tx.
 */
import {describePolicy} from '../../authz/policy.js'
import {WichainError} from '../../errors.js'
import {argsObject, type Args} from '../contracts/args.js'
import type {CallContext, ContractState, SystemContract} from '../contracts/contract.js'
import type {ConsortiumView} from '../consortium/view.js'
import {resolveAction, runAction, type ContractLookup} from './actions.js'
import {evaluationOf, matchOf, tally} from './evaluate.js'
import {
  GOVERNANCE_CONTRACT_NAME, GOVERNANCE_LIMITS, readOpen, statusAt, takeNextId, writeOpen, writeProposal, type ProposalRecord, type Vote,
} from './records.js'
import {list, load, summaryOf, view} from './reads.js'
import {verifySignedVote} from './votes.js'

const NAME = GOVERNANCE_CONTRACT_NAME

function consortiumOf(context: CallContext): ConsortiumView {
  if (context.consortium === undefined) throw new WichainError('INVALID_ARGUMENT', 'governance: proposals need a version 2 chain (organisations)')
  return context.consortium
}

function readId(args: Args): number {
  const id = args.id
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw new WichainError('INVALID_ARGUMENT', 'governance: id must be a proposal id (an integer ≥ 1)')
  return id
}

/** PROPOSAL_EXPIRED or PROPOSAL_CLOSED unless the proposal is still voting at this height. */
function requireVoting(record: ProposalRecord, height: number): void {
  const status = statusAt(record, height)
  if (status === 'expired') throw new WichainError('PROPOSAL_EXPIRED', `governance: proposal ${record.id} expired at height ${record.expiryHeight}`, {id: record.id, expiryHeight: record.expiryHeight})
  if (status !== 'voting') throw new WichainError('PROPOSAL_CLOSED', `governance: proposal ${record.id} is ${status}`, {id: record.id, status})
}

/**
 * Counts the votes; runs the action once the policy is met, rejects once it cannot be; stores
 * the record and keeps the open index in step.
 */
function settle(state: ContractState, consortium: ConsortiumView, record: ProposalRecord, context: CallContext): ProposalRecord {
  const counted = tally(consortium, record, context.height)
  let next: ProposalRecord = {...record, evaluation: evaluationOf(counted)}
  if (counted.satisfied) {
    const outcome = runAction(record.action, context)
    next = outcome.status === 'executed'
      ? {...next, status: 'executed', result: outcome.result, closedHeight: context.height}
      : {...next, status: 'failed', error: outcome.error, closedHeight: context.height}
  } else if (counted.impossible) {
    next = {...next, status: 'rejected', closedHeight: context.height}
  }
  writeProposal(state, next)
  const open = readOpen(state).filter((entry) => entry.id !== next.id)
  writeOpen(state, next.status === 'voting' ? [...open, {id: next.id, proposer: next.proposer.address, expiryHeight: next.expiryHeight}] : open)
  return next
}

function readExpiryBlocks(value: unknown): number {
  if (value === undefined) return GOVERNANCE_LIMITS.expiryBlocksDefault
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > GOVERNANCE_LIMITS.expiryBlocksMax) {
    throw new WichainError('INVALID_ARGUMENT', `governance: expiryBlocks must be an integer 1..${GOVERNANCE_LIMITS.expiryBlocksMax}`)
  }
  return value
}

function readNote(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value !== 'string' || value.length > GOVERNANCE_LIMITS.noteLengthMax || !(value as string & {isWellFormed(): boolean}).isWellFormed()) {
    throw new WichainError('INVALID_ARGUMENT', `governance: note must be text of at most ${GOVERNANCE_LIMITS.noteLengthMax} characters`)
  }
  return value
}

/** Drops expired entries from the open index and applies the spam guard for `proposer`. */
function makeRoom(state: ContractState, proposer: string, height: number): void {
  const open = readOpen(state)
  const live = open.filter((entry) => height <= entry.expiryHeight)
  if (live.length !== open.length) writeOpen(state, live)
  if (live.length >= GOVERNANCE_LIMITS.openMax) throw new WichainError('PAYLOAD_TOO_LARGE', `governance: ${GOVERNANCE_LIMITS.openMax} proposals are voting already; wait for some to close`)
  if (live.filter((entry) => entry.proposer === proposer).length >= GOVERNANCE_LIMITS.openPerProposerMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `governance: ${proposer} has ${GOVERNANCE_LIMITS.openPerProposerMax} proposals voting already (revoke some)`)
  }
}

function propose(lookup: ContractLookup, state: ContractState, rawArgs: unknown, context: CallContext) {
  const consortium = consortiumOf(context)
  const args = argsObject(NAME, rawArgs, ['action', 'expiryBlocks', 'note'])
  const resolved = resolveAction(lookup, args.action, consortium, context)
  const expiryBlocks = readExpiryBlocks(args.expiryBlocks)
  const note = readNote(args.note)
  const sender = context.sender.address
  const proposer = consortium.endorsementOf(sender)
  const mayPropose = proposer !== undefined && (proposer.roles.some((role) => resolved.spec.proposers.includes(role)) || proposer.permissions?.includes(resolved.resource) === true)
  if (!mayPropose || resolved.policy.rule === 'FORBIDDEN') {
    const why = resolved.policy.rule === 'FORBIDDEN' ? 'the policy forbids it' : `proposers need role ${resolved.spec.proposers.join('|')} in an active organisation`
    throw new WichainError('UNAUTHORIZED', `${sender} may not propose ${resolved.resource}: ${why} (policy ${describePolicy(resolved.policy)})`, {resource: resolved.resource, policy: resolved.policy, signer: sender})
  }
  makeRoom(state, sender, context.height)
  const vote: Vote = {signer: sender, org: proposer.org, roles: proposer.roles, approve: true, height: context.height, txHash: context.txHash, offline: false, voteExpiryHeight: 0, signature: ''}
  const record: ProposalRecord = {
    id: takeNextId(state),
    proposer: {address: sender, org: proposer.org},
    action: resolved.action,
    note,
    resource: resolved.resource,
    ownerOrg: resolved.ownerOrg,
    policy: resolved.policy,
    createdHeight: context.height,
    expiryHeight: context.height + expiryBlocks,
    txHash: context.txHash,
    votes: [vote],
    status: 'voting',
    result: '',
    error: null,
    closedHeight: 0,
    evaluation: {height: context.height, satisfied: false, needed: 0, scope: [], approvedBy: [], rejectedBy: [], matches: []},
  }
  return {proposal: summaryOf(settle(state, consortium, record, context), context.height)}
}

/** Records one signer's vote (online or offline) and settles the proposal. */
function castVote(state: ContractState, context: CallContext, id: number, signer: string, approve: boolean, offline?: {expiryHeight: number; signature: string}) {
  const consortium = consortiumOf(context)
  const record = load(state, id)
  requireVoting(record, context.height)
  const endorsement = consortium.endorsementOf(signer)
  if (endorsement === undefined) throw new WichainError('UNAUTHORIZED', `${signer} may not vote: not a registered, enabled account of an active organisation`, {signer})
  const match = matchOf(consortium, record, endorsement)
  if (!match.counted) {
    throw new WichainError('UNAUTHORIZED', `${signer} may not vote on proposal ${id} (policy ${describePolicy(record.policy)}): ${match.reason}`, {resource: record.resource, policy: record.policy, signer})
  }
  const previous = record.votes.find((vote) => vote.signer === signer)
  if (previous !== undefined) throw new WichainError('ALREADY_EXISTS', `governance: ${signer} already voted on proposal ${id} (tx ${previous.txHash})`, {id, signer})
  if (record.votes.length >= GOVERNANCE_LIMITS.votesMax) throw new WichainError('PAYLOAD_TOO_LARGE', `governance: proposal ${id} holds ${GOVERNANCE_LIMITS.votesMax} votes already`)
  const vote: Vote = {
    signer, org: endorsement.org, roles: endorsement.roles, approve, height: context.height, txHash: context.txHash,
    offline: offline !== undefined, voteExpiryHeight: offline?.expiryHeight ?? 0, signature: offline?.signature ?? '',
  }
  return {proposal: summaryOf(settle(state, consortium, {...record, votes: [...record.votes, vote]}, context), context.height)}
}

function submitVote(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs, ['vote'])
  const vote = verifySignedVote(args.vote)
  if (vote.chainId !== context.chainId) throw new WichainError('WRONG_CHAIN', `governance: the vote is for chain "${vote.chainId}", not "${context.chainId}"`)
  const record = load(state, vote.proposalId)
  requireVoting(record, context.height)
  if (vote.expiryHeight > record.expiryHeight) {
    throw new WichainError('INVALID_ARGUMENT', `governance: the vote's expiry height ${vote.expiryHeight} is after the proposal's (${record.expiryHeight})`)
  }
  if (context.height > vote.expiryHeight) throw new WichainError('VOTE_EXPIRED', `governance: the signed vote expired at height ${vote.expiryHeight}`, {expiryHeight: vote.expiryHeight})
  return castVote(state, context, vote.proposalId, vote.voter, vote.approve, {expiryHeight: vote.expiryHeight, signature: vote.signature})
}

function revoke(state: ContractState, rawArgs: unknown, context: CallContext) {
  const consortium = consortiumOf(context)
  const record = load(state, readId(argsObject(NAME, rawArgs, ['id'])))
  requireVoting(record, context.height)
  const sender = context.sender.address
  const endorsement = consortium.endorsementOf(sender)
  const isProposer = sender === record.proposer.address && endorsement !== undefined
  const isOrgAdmin = endorsement !== undefined && endorsement.org === record.proposer.org && endorsement.roles.includes('orgadmin')
  if (!isProposer && !isOrgAdmin) {
    throw new WichainError('UNAUTHORIZED', `${sender} may not revoke proposal ${record.id}: only its proposer or an orgadmin of ${record.proposer.org}`, {signer: sender})
  }
  const revoked: ProposalRecord = {...record, status: 'revoked', closedHeight: context.height}
  writeProposal(state, revoked)
  writeOpen(state, readOpen(state).filter((entry) => entry.id !== record.id))
  return {proposal: summaryOf(revoked, context.height)}
}

/** The governance contract over the chain's system contracts (`lookup`: the same registry the executor runs). */
export function createGovernanceContract(lookup: ContractLookup): SystemContract {
  return {
    name: NAME,
    description: 'proposals and votes for consortium changes (policies with several organisations)',
    methods: {
      propose: {readOnly: false, selfAuthorizing: true, run: (state, args, context) => propose(lookup, state, args, context)},
      vote: {
        readOnly: false,
        selfAuthorizing: true,
        run(state, rawArgs, context) {
          const args = argsObject(NAME, rawArgs, ['id', 'approve'])
          if (typeof args.approve !== 'boolean') throw new WichainError('INVALID_ARGUMENT', 'governance: approve must be true or false')
          return castVote(state, context, readId(args), context.sender.address, args.approve)
        },
      },
      submitVote: {readOnly: false, selfAuthorizing: true, run: submitVote},
      revoke: {readOnly: false, selfAuthorizing: true, run: revoke},
      get: {readOnly: true, run: (state, args, context) => view(load(state, readId(argsObject(NAME, args, ['id']))), context.height)},
      list: {readOnly: true, run: list},
    },
  }
}
