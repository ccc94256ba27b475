/**
 * The governance contract's answers: the short summary every write returns (and the receipt
 * result `executedNodeChange` reads), `get` (the record with its evaluation: which signature
 * counted for which clause, so an auditor can re-check the decision) and `list`.
 */
import {WichainError} from '../../errors.js'
import {argsObject} from '../contracts/args.js'
import type {CallContext, ContractState} from '../contracts/contract.js'
import {needsOf} from './evaluate.js'
import {GOVERNANCE_CONTRACT_NAME as NAME, GOVERNANCE_LIMITS, PROPOSAL_STATUSES, proposalCount, readProposal, statusAt, type ProposalRecord, type ProposalStatus} from './records.js'

/** A proposal by id; NOT_FOUND otherwise. */
export function load(state: Pick<ContractState, 'get'>, id: number): ProposalRecord {
  const record = readProposal(state, id)
  if (record === undefined) throw new WichainError('NOT_FOUND', `governance: no proposal ${id}`)
  return record
}

/** The short answer of every write, and the receipt result `executedNodeChange` reads. */
export function summaryOf(record: ProposalRecord, height: number) {
  const status = statusAt(record, height)
  return {
    id: record.id,
    status,
    needs: status === 'voting' ? needsOf(record.evaluation) : 0,
    resource: record.resource,
    // Executed: the args too when short (node changes always are), so a verifier replaying the
    // node set from receipts alone (membership.ts) sees them.
    action: record.status === 'executed' && Buffer.byteLength(record.action.args) <= GOVERNANCE_LIMITS.resultBytesMax
      ? {contract: record.action.contract, method: record.action.method, args: JSON.parse(record.action.args) as unknown}
      : {contract: record.action.contract, method: record.action.method},
    ...(record.status === 'executed' ? {result: JSON.parse(record.result) as unknown} : {}),
    ...(record.error === null ? {} : {error: record.error}),
  }
}

/** The record as `get` shows it: status at this height, args and result as JSON, needs. */
export function view(record: ProposalRecord, height: number) {
  return {
    ...record,
    status: statusAt(record, height),
    needs: statusAt(record, height) === 'voting' ? needsOf(record.evaluation) : 0,
    action: {...record.action, args: JSON.parse(record.action.args) as unknown},
    result: record.result === '' ? null : (JSON.parse(record.result) as unknown),
  }
}

export function list(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['status', 'offset', 'limit'])
  const status = args.status
  if (status !== undefined && !PROPOSAL_STATUSES.includes(status as ProposalStatus)) throw new WichainError('INVALID_ARGUMENT', `governance: status must be one of ${PROPOSAL_STATUSES.join(', ')}`)
  const count = (name: string, value: unknown, fallback: number, max: number): number => {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) throw new WichainError('INVALID_ARGUMENT', `governance: ${name} must be an integer 0..${max}`)
    return value
  }
  const offset = count('offset', args.offset, 0, GOVERNANCE_LIMITS.listScanMax)
  const limit = count('limit', args.limit, GOVERNANCE_LIMITS.pageMax, GOVERNANCE_LIMITS.pageMax)
  const total = proposalCount(state)
  const proposals: unknown[] = []
  let skipped = 0
  // Newest first; a bounded number of records read per answer.
  for (let id = total; id >= 1 && id > total - GOVERNANCE_LIMITS.listScanMax && proposals.length < limit; id--) {
    const record = load(state, id)
    if (status !== undefined && statusAt(record, context.height) !== status) continue
    if (skipped++ < offset) continue
    proposals.push({...summaryOf(record, context.height), proposer: record.proposer, createdHeight: record.createdHeight, expiryHeight: record.expiryHeight, votes: record.votes.length})
  }
  return {total, proposals}
}

