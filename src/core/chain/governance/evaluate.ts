/**
 * Counting a proposal's votes against the policy it was opened under (its snapshot), over the
 * consortium as it is now: an account disabled or an organisation removed since it voted no
 * longer counts. Pure over a `Directory`.
 *
 * Approvals: `evaluatePolicy` over the approving signers. Rejections: an organisation rejects
 * when one of its signers whose vote would count rejected and none of its signers' approvals
 * counted. The proposal is rejected once the organisations in scope that have not rejected are
 * fewer than the policy needs (it can no longer pass).
 */
import type {Directory} from '../../authz/authorize.js'
import {evaluatePolicy, type ClauseMatch, type Endorsement} from '../../authz/policy.js'
import type {Evaluation, ProposalRecord, Vote, VoteMatch} from './records.js'

export interface Tally extends Evaluation {
  /** How many more organisations must approve (0 once satisfied). */
  readonly needs: number
  /** The policy can no longer be met by these votes. */
  readonly impossible: boolean
}

function contextOf(directory: Directory, record: Pick<ProposalRecord, 'ownerOrg' | 'resource'>) {
  return {activeOrgs: directory.activeOrgs(), ownerOrg: record.ownerOrg === '' ? undefined : record.ownerOrg, resource: record.resource}
}

/** How one signer's vote would count under `policy` now (UNAUTHORIZED votes are refused with this reason). */
export function matchOf(directory: Directory, record: Pick<ProposalRecord, 'ownerOrg' | 'resource' | 'policy'>, endorsement: Endorsement): ClauseMatch {
  return evaluatePolicy(record.policy, [endorsement], contextOf(directory, record)).matches[0]!
}

function gone(vote: Vote): VoteMatch {
  return {address: vote.signer, org: vote.org, approve: vote.approve, counted: false, reason: 'no longer a registered, enabled account of an active organisation'}
}

export function tally(directory: Directory, record: Pick<ProposalRecord, 'ownerOrg' | 'resource' | 'policy' | 'votes'>, height: number): Tally {
  const context = contextOf(directory, record)
  const endorsements = new Map<string, Endorsement>()
  for (const vote of record.votes) {
    const endorsement = directory.endorsementOf(vote.signer)
    if (endorsement !== undefined) endorsements.set(vote.signer, endorsement)
  }
  const side = (approve: boolean): Endorsement[] =>
    record.votes.filter((vote) => vote.approve === approve && endorsements.has(vote.signer)).map((vote) => endorsements.get(vote.signer)!)
  const approvals = evaluatePolicy(record.policy, side(true), context)
  const rejections = evaluatePolicy(record.policy, side(false), context)
  const counted = new Map<string, ClauseMatch>([...approvals.matches, ...rejections.matches].map((match) => [match.address, match]))
  const matches = record.votes.map((vote): VoteMatch => {
    const match = counted.get(vote.signer)
    return match === undefined ? gone(vote) : {address: match.address, org: match.org, approve: vote.approve, counted: match.counted, reason: match.reason}
  })
  const rejectedBy = rejections.orgs.filter((org) => !approvals.orgs.includes(org))
  const impossible = !approvals.satisfied && (approvals.needed === 0 || approvals.scope.length - rejectedBy.length < approvals.needed)
  return Object.freeze({
    height,
    satisfied: approvals.satisfied,
    needed: approvals.needed,
    scope: approvals.scope,
    approvedBy: approvals.orgs,
    rejectedBy: Object.freeze(rejectedBy),
    matches: Object.freeze(matches),
    needs: approvals.satisfied ? 0 : Math.max(0, approvals.needed - approvals.orgs.length),
    impossible,
  })
}

/** The stored part of a tally. */
export function evaluationOf(result: Tally): Evaluation {
  const {needs: _needs, impossible: _impossible, ...evaluation} = result
  return evaluation
}

/** `needs` of a stored evaluation. */
export function needsOf(evaluation: Evaluation): number {
  return evaluation.satisfied ? 0 : Math.max(0, evaluation.needed - evaluation.approvedBy.length)
}
