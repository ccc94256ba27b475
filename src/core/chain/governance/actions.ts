/**
 * A proposal's action: a write method of another system contract, its resource (what the policy
 * guards) and running it once the policy is met. Running goes through `CallContext.invoke`, on the
 * target contract's own state, in the tx that met the policy.
 *
 * An action that throws a deliberate error (a WichainError such as INVALID_ARGUMENT or
 * ALREADY_EXISTS) closes the proposal as `failed` with that error; the governance tx itself
 * succeeds, so the failure is on record. Anything else (a fault: INTERNAL, STORAGE_ERROR, a JS
 * exception) propagates and becomes an execution fault, as for any tx.
 */
import {policyOf, resourceSpec} from '../../authz/authorize.js'
import type {Policy} from '../../authz/policy.js'
import type {ResourceSpec} from '../../authz/resources.js'
import {WichainError} from '../../errors.js'
import {parseTxArgs} from '../../types/tx.js'
import {resourceOfSystemCall} from '../consortium/enforce.js'
import type {ConsortiumView} from '../consortium/view.js'
import type {CallContext, ContractMethod, SystemContract} from '../contracts/contract.js'
import {contractManager} from '../contracts/manager.js'
import {isExecutionFaultCause} from '../faults.js'
import {GOVERNANCE_CONTRACT_NAME, GOVERNANCE_LIMITS, type ProposalAction} from './records.js'

/** The chain's system contracts by name (the registry governance proposes actions of). */
export type ContractLookup = (name: string) => SystemContract | undefined

export interface ResolvedAction {
  readonly action: ProposalAction
  readonly resource: string
  readonly ownerOrg: string
  readonly spec: ResourceSpec
  readonly policy: Policy
}

function fail(message: string): never {
  throw new WichainError('INVALID_ARGUMENT', `governance: ${message}`)
}

function methodOf(lookup: ContractLookup, contractName: string, methodName: string): ContractMethod {
  const contract = lookup(contractName) ?? (contractName === contractManager.name ? contractManager : undefined)
  if (contract === undefined) throw new WichainError('UNKNOWN_CONTRACT', `governance: no system contract "${contractName}"`)
  const method = Object.hasOwn(contract.methods, methodName) ? contract.methods[methodName] : undefined
  if (method === undefined) throw new WichainError('UNKNOWN_CONTRACT', `governance: contract "${contractName}" has no method "${methodName}"`)
  if (method.readOnly || method.selfAuthorizing === true || contractName === GOVERNANCE_CONTRACT_NAME) {
    fail(`${contractName}.${methodName} cannot be a proposal's action (read-only or itself governance)`)
  }
  return method
}

/**
 * Reads `{contract, method, args}` of a `propose`, and resolves what its policy guards: the
 * resource as the executor would (the method's own `resource`, else `<contract>.<method>`), its
 * spec and the policy in force now (the proposal's snapshot).
 */
export function resolveAction(lookup: ContractLookup, value: unknown, consortium: ConsortiumView, context: CallContext): ResolvedAction {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('action must be an object {contract, method, args}')
  const fields = value as Record<string, unknown>
  for (const key of Object.keys(fields)) if (!['contract', 'method', 'args'].includes(key)) fail(`action: unknown field "${key}"`)
  const {contract, method: methodName} = fields
  if (typeof contract !== 'string' || typeof methodName !== 'string') fail('action.contract and action.method must be strings')
  const args = fields.args ?? {}
  if (typeof args !== 'object' || args === null || Array.isArray(args)) fail('action.args must be an object')
  const argsText = JSON.stringify(args)
  if (Buffer.byteLength(argsText) > GOVERNANCE_LIMITS.actionArgsBytesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `governance: action args exceed ${GOVERNANCE_LIMITS.actionArgsBytesMax} bytes`)
  }
  const method = methodOf(lookup, contract, methodName)
  const ref = resourceOfSystemCall(contract, methodName, method, args, context)
  const spec = resourceSpec(ref.resource)
  const policy = policyOf(consortium, ref.resource)
  if (spec === undefined || policy === undefined) fail(`no policy for resource "${ref.resource}"`)
  return {action: {contract, method: methodName, args: argsText}, resource: ref.resource, ownerOrg: ref.ownerOrg ?? '', spec, policy}
}

export type Outcome =
  | {readonly status: 'executed'; readonly result: string}
  | {readonly status: 'failed'; readonly error: {readonly code: string; readonly message: string}}

/** Runs the action in this tx. The result is kept as JSON text (a note instead when too long). */
export function runAction(action: ProposalAction, context: CallContext): Outcome {
  if (context.invoke === undefined) throw new WichainError('INVALID_ARGUMENT', 'governance: proposals need a version 2 chain (organisations)')
  try {
    const result = JSON.stringify(context.invoke(action.contract, action.method, parseTxArgs(action.args)) ?? null)
    const bytes = Buffer.byteLength(result)
    return {status: 'executed', result: bytes <= GOVERNANCE_LIMITS.resultBytesMax ? result : JSON.stringify({omitted: `result of ${bytes} bytes (over ${GOVERNANCE_LIMITS.resultBytesMax})`})}
  } catch (error) {
    if (isExecutionFaultCause(error)) throw error
    const failure = error as WichainError
    const message = (failure.message.slice(0, GOVERNANCE_LIMITS.errorMessageLengthMax) as unknown as {toWellFormed(): string}).toWellFormed()
    return {status: 'failed', error: {code: failure.code, message}}
  }
}
