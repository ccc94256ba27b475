/**
 * Helpers of the `proposal` commands: the id argument, `proposal show`'s answer (the record with
 * the policy as text and one clause line per vote: which signature counted for which clause),
 * and the chain facts an offline vote is signed over.
 */
import {Args} from '@oclif/core'
import {describePolicy, parsePolicy} from '../core/authz/policy.js'
import {WichainError} from '../core/errors.js'
import type {WichainClient} from '../sdk/client.js'
import type {ProposalRecordJson} from './governance.js'

export const proposalIdArg = Args.integer({description: 'proposal id (see `proposal list`)', required: true, min: 1})

/** One vote and how it was counted against the proposal's policy. */
export interface ClauseJson {
  readonly address: string
  readonly org: string
  readonly approve: boolean
  readonly offline: boolean
  readonly height: number
  readonly txHash: string
  readonly counted: boolean
  readonly reason: string
}

export interface ProposalShowJson extends ProposalRecordJson {
  readonly policyText: string
  readonly clauses: readonly ClauseJson[]
}

export async function proposalRecord(client: WichainClient, id: number): Promise<ProposalRecordJson> {
  const {result} = await client.query('governance', 'get', {id})
  return result as ProposalRecordJson
}

export async function showProposal(client: WichainClient, id: number): Promise<ProposalShowJson> {
  const record = await proposalRecord(client, id)
  const matches = new Map(record.evaluation.matches.map((match) => [match.address, match]))
  const clauses = record.votes.map((vote): ClauseJson => {
    const match = matches.get(vote.signer)
    return {
      address: vote.signer, org: vote.org, approve: vote.approve, offline: vote.offline, height: vote.height, txHash: vote.txHash,
      counted: match?.counted ?? false, reason: match?.reason ?? 'not counted yet',
    }
  })
  return {...record, policyText: describePolicy(parsePolicy(record.policy)), clauses}
}

/** What an offline vote is signed over, from flags or (missing ones) from the node. */
export async function voteFacts(
  client: () => WichainClient,
  id: number,
  given: {chainId?: string; expiryHeight?: number},
): Promise<{chainId: string; expiryHeight: number}> {
  if (given.chainId !== undefined && given.expiryHeight !== undefined) return {chainId: given.chainId, expiryHeight: given.expiryHeight}
  const node = client()
  const chainId = given.chainId ?? ((await node.chainStatus()) as {chainId: string}).chainId
  if (given.expiryHeight !== undefined) return {chainId, expiryHeight: given.expiryHeight}
  const record = await proposalRecord(node, id)
  if (record.status !== 'voting') throw new WichainError(record.status === 'expired' ? 'PROPOSAL_EXPIRED' : 'PROPOSAL_CLOSED', `proposal ${id} is ${record.status}: no vote can count any more`, {id, status: record.status})
  return {chainId, expiryHeight: record.expiryHeight}
}
