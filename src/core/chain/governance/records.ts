/**
 * Proposals in state (the `governance` contract's namespace): one canonical record per proposal
 * under `proposal/<id>`, a counter `next-id` (ids are 1, 2, 3 … per chain, in the order the
 * proposals were opened) and `open`, the proposals stored as voting with their proposer and
 * expiry (bounded, chain-wide and per proposer: the spam guard).
 *
 * A record keeps the policy as it was at creation: later policy changes do not move the goalposts
 * of pending votes. Action args and the action's result are kept as JSON text (exactly what was
 * signed and what the action returned), so the record's canonical form never depends on floats.
 */
import {PROPOSAL_EXPIRY_BLOCKS_MAX, PROPOSAL_RESULT_BYTES_MAX, PROPOSAL_VOTES_MAX, PROPOSALS_OPEN_MAX, PROPOSALS_OPEN_PER_PROPOSER_MAX} from '../../limits.js'
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readEnum, readRecord, readString, readUint} from '../../codec/fields.js'
import {parsePolicy, POLICY_LIMITS, type Policy} from '../../authz/policy.js'
import {checkRoles, type Role} from '../../authz/roles.js'
import {WichainError} from '../../errors.js'
import {TX_LIMITS} from '../../types/tx.js'
import type {ContractState} from '../contracts/contract.js'

export const GOVERNANCE_CONTRACT_NAME = 'governance'

/**
 * Governance's own bounds (kept here like the other contracts' *_LIMITS; listed in the report to
 * move into limits.ts with its relations).
 */
export const GOVERNANCE_LIMITS = Object.freeze({
  /** Votes on one proposal (one per signer): far above any consortium's admin count. */
  votesMax: PROPOSAL_VOTES_MAX,
  /** Proposals voting at once, chain-wide, and per proposer. */
  openMax: PROPOSALS_OPEN_MAX,
  openPerProposerMax: PROPOSALS_OPEN_PER_PROPOSER_MAX,
  /** An action's args as JSON text: what one tx may carry. */
  actionArgsBytesMax: TX_LIMITS.argsBytesMax,
  /** An executed action's result kept in the record (a longer one is replaced by a note). */
  resultBytesMax: PROPOSAL_RESULT_BYTES_MAX,
  errorMessageLengthMax: 1024,
  noteLengthMax: 256,
  expiryBlocksDefault: 1000,
  expiryBlocksMax: PROPOSAL_EXPIRY_BLOCKS_MAX,
  /** Entries in one `list` answer, and records one `list` reads. */
  pageMax: 100,
  listScanMax: 10_000,
})

export const PROPOSAL_STATUSES = ['voting', 'executed', 'failed', 'rejected', 'expired', 'revoked'] as const
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number]

export interface ProposalAction {
  readonly contract: string
  readonly method: string
  /** JSON text of the args the action runs with. */
  readonly args: string
}

export interface Vote {
  /** Address of the account that voted (for an offline vote: its signer, not the carrier). */
  readonly signer: string
  /** The signer's organisation and roles when it voted. */
  readonly org: string
  readonly roles: readonly Role[]
  readonly approve: boolean
  readonly height: number
  /** The tx that recorded the vote (the carrier's, for an offline vote). */
  readonly txHash: string
  /** Offline votes: the signed vote's expiry height and SM2 signature (hex), so anyone can re-verify it; 0 and "" otherwise. */
  readonly offline: boolean
  readonly voteExpiryHeight: number
  readonly signature: string
}

export interface ProposalRecord {
  readonly id: number
  readonly proposer: {readonly address: string; readonly org: string}
  readonly action: ProposalAction
  readonly note: string
  readonly resource: string
  /** The organisation owning the resource (SELF policies); "" when none. */
  readonly ownerOrg: string
  readonly policy: Policy
  readonly createdHeight: number
  readonly expiryHeight: number
  readonly txHash: string
  readonly votes: readonly Vote[]
  /** As stored: `voting` stays stored past the expiry (see `statusAt`). */
  readonly status: ProposalStatus
  /** Executed: the action's result (JSON text); "" otherwise. */
  readonly result: string
  /** Failed: the action's error. */
  readonly error: {readonly code: string; readonly message: string} | null
  /** Height the proposal was closed at (executed, failed, rejected, revoked); 0 while voting. */
  readonly closedHeight: number
  /** The policy's verdict over the votes when they were last counted (auditors re-check it). */
  readonly evaluation: Evaluation
}

/** How one vote was counted: `ClauseMatch` with the vote's direction. */
export interface VoteMatch {
  readonly address: string
  readonly org: string
  readonly approve: boolean
  readonly counted: boolean
  readonly reason: string
}

export interface Evaluation {
  readonly height: number
  readonly satisfied: boolean
  /** Organisations that must approve (0: the policy cannot be met). */
  readonly needed: number
  /** Organisations in the policy's scope then. */
  readonly scope: readonly string[]
  /** Organisations whose approval counted, and those counted as rejecting (none of theirs approved). */
  readonly approvedBy: readonly string[]
  readonly rejectedBy: readonly string[]
  readonly matches: readonly VoteMatch[]
}

/** A proposal stored as voting: the open index keeps what the spam guard and expiry sweep need. */
export interface OpenEntry {
  readonly id: number
  readonly proposer: string
  readonly expiryHeight: number
}

export const proposalKey = (id: number): string => `proposal/${id}`
export const NEXT_ID_KEY = 'next-id'
export const OPEN_KEY = 'open'

/**
 * The status at `height`: a proposal still voting after its expiry height is `expired` (nothing
 * is written then: a refused vote's tx writes nothing, so expiry is read, not stored).
 */
export function statusAt(record: ProposalRecord, height: number): ProposalStatus {
  return record.status === 'voting' && height > record.expiryHeight ? 'expired' : record.status
}

const RECORD_KEYS = ['id', 'proposer', 'action', 'note', 'resource', 'ownerOrg', 'policy', 'createdHeight', 'expiryHeight', 'txHash', 'votes', 'status', 'result', 'error', 'closedHeight', 'evaluation'] as const
const EVALUATION_KEYS = ['height', 'satisfied', 'needed', 'scope', 'approvedBy', 'rejectedBy', 'matches'] as const
const MATCH_KEYS = ['address', 'org', 'approve', 'counted', 'reason'] as const
const VOTE_KEYS = ['signer', 'org', 'roles', 'approve', 'height', 'txHash', 'offline', 'voteExpiryHeight', 'signature'] as const

function readBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new WichainError('DECODE_ERROR', `${what}: expected a boolean`)
  return value
}

function readVote(value: unknown, what: string): Vote {
  const fields = readRecord(value, what, VOTE_KEYS)
  return Object.freeze({
    signer: readString(fields.signer, `${what}.signer`, 40),
    org: readString(fields.org, `${what}.org`, POLICY_LIMITS.orgIdLengthMax),
    roles: checkRoles(readArray(fields.roles, `${what}.roles`, 4), what),
    approve: readBoolean(fields.approve, `${what}.approve`),
    height: readUint(fields.height, `${what}.height`),
    txHash: readString(fields.txHash, `${what}.txHash`, 64),
    offline: readBoolean(fields.offline, `${what}.offline`),
    voteExpiryHeight: readUint(fields.voteExpiryHeight, `${what}.voteExpiryHeight`),
    signature: readString(fields.signature, `${what}.signature`, 128),
  })
}

function readOrgList(value: unknown, what: string): readonly string[] {
  return Object.freeze(readArray(value, what, POLICY_LIMITS.orgsMax).map((org, index) => readString(org, `${what}[${index}]`, POLICY_LIMITS.orgIdLengthMax)))
}

function readEvaluation(value: unknown, what: string): Evaluation {
  const fields = readRecord(value, what, EVALUATION_KEYS)
  return Object.freeze({
    height: readUint(fields.height, `${what}.height`),
    satisfied: readBoolean(fields.satisfied, `${what}.satisfied`),
    needed: readUint(fields.needed, `${what}.needed`),
    scope: readOrgList(fields.scope, `${what}.scope`),
    approvedBy: readOrgList(fields.approvedBy, `${what}.approvedBy`),
    rejectedBy: readOrgList(fields.rejectedBy, `${what}.rejectedBy`),
    matches: Object.freeze(readArray(fields.matches, `${what}.matches`, GOVERNANCE_LIMITS.votesMax).map((entry, index) => {
      const match = readRecord(entry, `${what}.matches[${index}]`, MATCH_KEYS)
      return Object.freeze({
        address: readString(match.address, `${what}.matches[${index}].address`, 40),
        org: readString(match.org, `${what}.matches[${index}].org`, POLICY_LIMITS.orgIdLengthMax),
        approve: readBoolean(match.approve, `${what}.matches[${index}].approve`),
        counted: readBoolean(match.counted, `${what}.matches[${index}].counted`),
        reason: readString(match.reason, `${what}.matches[${index}].reason`, 512),
      })
    })),
  })
}

export function decodeProposal(bytes: Uint8Array, id: number): ProposalRecord {
  const what = `proposal ${id}`
  const fields = readRecord(decodeCanonical(bytes, what), what, RECORD_KEYS)
  const proposer = readRecord(fields.proposer, `${what}.proposer`, ['address', 'org'])
  const action = readRecord(fields.action, `${what}.action`, ['contract', 'method', 'args'])
  const error = fields.error === null ? null : readRecord(fields.error, `${what}.error`, ['code', 'message'])
  return Object.freeze({
    id: readUint(fields.id, `${what}.id`),
    proposer: Object.freeze({address: readString(proposer.address, `${what}.proposer.address`, 40), org: readString(proposer.org, `${what}.proposer.org`, POLICY_LIMITS.orgIdLengthMax)}),
    action: Object.freeze({
      contract: readString(action.contract, `${what}.action.contract`, TX_LIMITS.nameLengthMax),
      method: readString(action.method, `${what}.action.method`, TX_LIMITS.nameLengthMax),
      args: readString(action.args, `${what}.action.args`, GOVERNANCE_LIMITS.actionArgsBytesMax),
    }),
    note: readString(fields.note, `${what}.note`, GOVERNANCE_LIMITS.noteLengthMax),
    resource: readString(fields.resource, `${what}.resource`, 160),
    ownerOrg: readString(fields.ownerOrg, `${what}.ownerOrg`, POLICY_LIMITS.orgIdLengthMax),
    policy: parsePolicy(fields.policy),
    createdHeight: readUint(fields.createdHeight, `${what}.createdHeight`),
    expiryHeight: readUint(fields.expiryHeight, `${what}.expiryHeight`),
    txHash: readString(fields.txHash, `${what}.txHash`, 64),
    votes: Object.freeze(readArray(fields.votes, `${what}.votes`, GOVERNANCE_LIMITS.votesMax).map((vote, index) => readVote(vote, `${what}.votes[${index}]`))),
    status: readEnum(fields.status, `${what}.status`, PROPOSAL_STATUSES),
    result: readString(fields.result, `${what}.result`, GOVERNANCE_LIMITS.resultBytesMax),
    error: error === null ? null : Object.freeze({
      code: readString(error.code, `${what}.error.code`, 64),
      message: readString(error.message, `${what}.error.message`, GOVERNANCE_LIMITS.errorMessageLengthMax),
    }),
    closedHeight: readUint(fields.closedHeight, `${what}.closedHeight`),
    evaluation: readEvaluation(fields.evaluation, `${what}.evaluation`),
  })
}

export function encodeProposal(record: ProposalRecord): Uint8Array {
  return encodeCanonical({
    ...record,
    proposer: {...record.proposer},
    action: {...record.action},
    policy: {rule: record.policy.rule, orgs: [...record.policy.orgs], roles: [...record.policy.roles]},
    votes: record.votes.map((vote) => ({...vote, roles: [...vote.roles]})),
    error: record.error === null ? null : {...record.error},
    evaluation: {
      ...record.evaluation,
      scope: [...record.evaluation.scope],
      approvedBy: [...record.evaluation.approvedBy],
      rejectedBy: [...record.evaluation.rejectedBy],
      matches: record.evaluation.matches.map((match) => ({...match})),
    },
  })
}

export function readProposal(state: Pick<ContractState, 'get'>, id: number): ProposalRecord | undefined {
  const bytes = state.get(proposalKey(id))
  return bytes === undefined ? undefined : decodeProposal(bytes, id)
}

export function writeProposal(state: ContractState, record: ProposalRecord): void {
  state.set(proposalKey(record.id), encodeProposal(record))
}

/** How many proposals were ever opened (the last id). */
export function proposalCount(state: Pick<ContractState, 'get'>): number {
  const bytes = state.get(NEXT_ID_KEY)
  return bytes === undefined ? 0 : readUint(decodeCanonical(bytes, NEXT_ID_KEY), NEXT_ID_KEY)
}

export function takeNextId(state: ContractState): number {
  const id = proposalCount(state) + 1
  state.set(NEXT_ID_KEY, encodeCanonical(id))
  return id
}

const OPEN_ENTRY_KEYS = ['id', 'proposer', 'expiryHeight'] as const

/** The proposals stored as voting (some may be past their expiry), by id. */
export function readOpen(state: Pick<ContractState, 'get'>): readonly OpenEntry[] {
  const bytes = state.get(OPEN_KEY)
  if (bytes === undefined) return []
  return readArray(decodeCanonical(bytes, OPEN_KEY), OPEN_KEY, GOVERNANCE_LIMITS.openMax).map((entry, index) => {
    const what = `${OPEN_KEY}[${index}]`
    const fields = readRecord(entry, what, OPEN_ENTRY_KEYS)
    return Object.freeze({id: readUint(fields.id, `${what}.id`), proposer: readString(fields.proposer, `${what}.proposer`, 40), expiryHeight: readUint(fields.expiryHeight, `${what}.expiryHeight`)})
  })
}

export function writeOpen(state: ContractState, entries: readonly OpenEntry[]): void {
  if (entries.length > GOVERNANCE_LIMITS.openMax) throw new WichainError('PAYLOAD_TOO_LARGE', `governance: at most ${GOVERNANCE_LIMITS.openMax} proposals may be voting at once`)
  if (entries.length === 0) state.delete(OPEN_KEY)
  else state.set(OPEN_KEY, encodeCanonical([...entries].sort((a, b) => a.id - b.id).map((entry) => ({...entry}))))
}
