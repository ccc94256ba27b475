/**
 * Governed actions from the CLI (version 2 chains: organisations, policies, proposals). A command
 * whose action is governed (org add/remove, policy set, node and contract lifecycle, cross-org
 * account disable/enable) sends `governance.propose {action}` instead of the direct tx there:
 * when the proposer's one signature meets the policy the action runs in that tx and the command
 * prints its result as before (plus `proposal`); otherwise it prints the proposal, which other
 * organisations vote on, and with `--wait` waits for the outcome. Version 1 chains keep the
 * direct txs. Also: the shared proposal/policy/account reads and their table rows.
 */
import {Flags} from '@oclif/core'
import {WichainError, isErrorCode, type ErrorCode} from '../core/errors.js'
import {GOVERNANCE_LIMITS, type Evaluation} from '../core/chain/governance/records.js'
import {clientFor, type NodeClientFlags} from './context.js'
import {sendAndWait, type CommittedReceipt, type SendOptions, type TxRequestJson} from './send.js'

/** What governance answers for a proposal (`summaryOf` in core/chain/governance/reads.ts). */
export interface ProposalSummary {
  readonly id: number
  readonly status: 'voting' | 'executed' | 'failed' | 'rejected' | 'expired' | 'revoked'
  readonly needs: number
  readonly resource: string
  readonly action: {readonly contract: string; readonly method: string; readonly args?: unknown}
  readonly result?: unknown
  readonly error?: {readonly code: string; readonly message: string}
}

/** The sentence every governed command's description ends with. */
export const GOVERNED_NOTE =
  'On a consortium chain (organisations) this is a proposal: when the signer alone meets the policy the action runs at once (same output plus `proposal`); ' +
  'otherwise the command prints {proposal:{id, status:"voting", needs}} and exits 0, other org admins vote (`proposal vote|sign|submit-vote`), and --wait waits for the outcome.'

/** Flags of every governed command (beside sendFlags). */
export function governedFlags() {
  return {
    wait: Flags.boolean({description: 'on a consortium chain, when the action needs more votes: wait (up to --timeout-ms) until the proposal leaves voting', default: false}),
    'expiry-blocks': Flags.integer({description: `blocks the proposal stays open for votes (default ${GOVERNANCE_LIMITS.expiryBlocksDefault})`, min: 1, max: GOVERNANCE_LIMITS.expiryBlocksMax}),
    note: Flags.string({description: 'a note recorded with the proposal (why)'}),
  }
}

export interface GovernedOptions extends SendOptions {
  readonly wait?: boolean
  readonly 'expiry-blocks'?: number
  readonly note?: string
}

/** Whether the target chain is a consortium (genesis version 2): `chain status` → `consortium`. */
export async function isConsortium(flags: NodeClientFlags): Promise<boolean> {
  const status = (await clientFor(flags).chainStatus()) as {consortium?: boolean}
  return status.consortium === true
}

/** The committed tx of an action, direct or through a proposal; `proposal` on consortium chains. */
export interface GovernedOutcome {
  readonly committed: CommittedReceipt
  readonly proposal?: ProposalSummary
}

/**
 * Runs `request` as the chain wants it: the direct tx on a version 1 chain (or when `direct`),
 * else a proposal. Resolves with the action's committed result when it ran; with the proposal
 * alone (`committed.result` undefined) while it is voting; throws the failure's code when the
 * action failed or the proposal was rejected, expired or revoked.
 */
export async function sendGoverned(flags: GovernedOptions, request: TxRequestJson & {readonly args: object}, options: {consortium?: boolean} = {}): Promise<GovernedOutcome> {
  const consortium = options.consortium ?? (await isConsortium(flags))
  if (!consortium) return {committed: await sendAndWait(flags, request)}
  const args = {
    action: {contract: request.contract, method: request.method, args: request.args},
    ...(flags['expiry-blocks'] === undefined ? {} : {expiryBlocks: flags['expiry-blocks']}),
    ...(flags.note === undefined ? {} : {note: flags.note}),
  }
  const committed = await sendAndWait(flags, {contract: 'governance', method: 'propose', args})
  let proposal = (committed.result as {proposal: ProposalSummary}).proposal
  if (proposal.status === 'voting' && flags.wait === true) proposal = await waitForOutcome(flags, proposal.id, flags['timeout-ms'] ?? 30_000)
  return settled(committed, proposal)
}

/** The outcome of a proposal as a command reports it; throws unless executed or still voting. */
export function settled(committed: CommittedReceipt, proposal: ProposalSummary): GovernedOutcome {
  if (proposal.status === 'executed') return {committed: {...committed, result: proposal.result ?? null}, proposal}
  if (proposal.status === 'voting') return {committed: {...committed, result: undefined}, proposal}
  throw proposalFailure(proposal, {txHash: committed.txHash, height: committed.height})
}

/** The error a closed, unexecuted proposal becomes: the action's own code when it failed. */
export function proposalFailure(proposal: ProposalSummary, details: Record<string, unknown> = {}): WichainError {
  const all = {...details, proposal}
  if (proposal.status === 'failed') {
    const code: ErrorCode = isErrorCode(proposal.error?.code) ? proposal.error.code : 'CONTRACT_ERROR'
    return new WichainError(code, `proposal ${proposal.id} failed: ${proposal.error?.message ?? 'unknown reason'}`, all)
  }
  if (proposal.status === 'expired') return new WichainError('PROPOSAL_EXPIRED', `proposal ${proposal.id} expired before enough organisations approved`, all)
  return new WichainError('PROPOSAL_CLOSED', `proposal ${proposal.id} was ${proposal.status}`, all)
}

/** Polls `governance.get` until the proposal leaves `voting`, or TIMEOUT. */
export async function waitForOutcome(flags: NodeClientFlags, id: number, timeoutMs: number): Promise<ProposalSummary> {
  const client = clientFor(flags)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const {result} = await client.query('governance', 'get', {id})
    const record = result as ProposalRecordJson
    if (record.status !== 'voting') return summaryOfRecord(record)
    if (Date.now() >= deadline) {
      throw new WichainError('TIMEOUT', `proposal ${id} still voting after ${timeoutMs} ms (needs ${record.needs} more organisation(s)); \`wichain proposal show ${id}\` follows it`, {proposal: summaryOfRecord(record)})
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** A proposal as `governance.get` answers it (reads.ts `view`). */
export interface ProposalRecordJson {
  readonly id: number
  readonly status: ProposalSummary['status']
  readonly needs: number
  readonly resource: string
  readonly ownerOrg: string
  readonly proposer: {readonly address: string; readonly org: string}
  readonly action: {readonly contract: string; readonly method: string; readonly args: unknown}
  readonly note: string
  readonly policy: {readonly rule: string | number; readonly orgs: readonly string[]; readonly roles: readonly string[]}
  readonly createdHeight: number
  readonly expiryHeight: number
  readonly closedHeight: number
  readonly txHash: string
  readonly votes: ReadonlyArray<{signer: string; org: string; roles: string[]; approve: boolean; height: number; txHash: string; offline: boolean}>
  readonly result: unknown
  readonly error: {readonly code: string; readonly message: string} | null
  /** The stored evaluation, as the governance contract answers it. */
  readonly evaluation: Evaluation
}

export function summaryOfRecord(record: ProposalRecordJson): ProposalSummary {
  return {
    id: record.id,
    status: record.status,
    needs: record.needs,
    resource: record.resource,
    action: record.action,
    ...(record.status === 'executed' ? {result: record.result} : {}),
    ...(record.error === null ? {} : {error: record.error}),
  }
}

/**
 * The JSON a governed command prints: `shape` of the committed action as before, plus `proposal`
 * (consortium chains); while voting, `{txHash, height, proposal}`.
 */
export function governedResult(outcome: GovernedOutcome, shape: (committed: CommittedReceipt) => object): object {
  if (outcome.proposal === undefined) return shape(outcome.committed)
  if (outcome.proposal.status === 'voting') return {txHash: outcome.committed.txHash, height: outcome.committed.height, proposal: outcome.proposal}
  return {...shape(outcome.committed), proposal: outcome.proposal}
}

/** A one-line human note about a proposal still voting. */
export function votingNote(result: object): string | undefined {
  const proposal = (result as {proposal?: ProposalSummary}).proposal
  if (proposal?.status !== 'voting') return undefined
  return `proposal ${proposal.id} (${proposal.resource}) is voting: it needs ${proposal.needs} more organisation(s); \`wichain proposal vote ${proposal.id} --approve\` by their org admins`
}
