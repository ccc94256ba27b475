/**
 * The one question every enforcement point asks (the executor for txs, admission before the
 * mempool, the API for reads and node operations): may these signers do this to this resource?
 * Over a `Directory`, the chain's view of organisations, accounts and policies at one height, so
 * it stays a pure function of state.
 */
import {WichainError} from '../errors.js'
import {describePolicy, evaluatePolicy, type Endorsement, type Policy, type PolicyVerdict} from './policy.js'
import {DEFAULT_RESOURCES, isUserCallResource, USER_CALL_RESOURCE, type ResourceSpec} from './resources.js'

export interface Directory {
  /** Organisations that are members now, sorted. */
  activeOrgs(): readonly string[]
  /** The account as the chain knows it (undefined: not registered, or its org is removed). */
  endorsementOf(address: string): Endorsement | undefined
  /** A policy set on chain for `resource`, overriding its default. */
  policyOverride(resource: string): Policy | undefined
}

/** The policy in force for `resource` (on chain, else the default); undefined for an unknown resource. */
export function policyOf(directory: Directory, resource: string): Policy | undefined {
  return directory.policyOverride(resource) ?? DEFAULT_RESOURCES[resource]?.policy
}

/** The spec of a resource: its own, or the default user-contract call's for `call:*`. */
export function resourceSpec(resource: string): ResourceSpec | undefined {
  return DEFAULT_RESOURCES[resource] ?? (isUserCallResource(resource) ? DEFAULT_RESOURCES[USER_CALL_RESOURCE] : undefined)
}

/** The first of `resources` with a policy (on chain or default): user calls fall back this way. */
export function governingResource(directory: Directory, resources: readonly string[]): string {
  return resources.find((resource) => policyOf(directory, resource) !== undefined) ?? resources[resources.length - 1]!
}

export interface Decision {
  readonly resource: string
  readonly policy: Policy
  readonly verdict: PolicyVerdict
}

/** Evaluates `signers` (addresses) for `resource`; unregistered signers simply do not count. */
export function decide(directory: Directory, resource: string, signers: readonly string[], ownerOrg?: string): Decision {
  const policy = policyOf(directory, resource)
  if (policy === undefined) throw new WichainError('INVALID_ARGUMENT', `unknown resource "${resource}"`)
  const endorsements = signers.map((address) => directory.endorsementOf(address)).filter((entry): entry is Endorsement => entry !== undefined)
  const verdict = evaluatePolicy(policy, endorsements, {activeOrgs: directory.activeOrgs(), ownerOrg, resource})
  return {resource, policy, verdict}
}

/** UNAUTHORIZED with the resource and the policy, unless one signer alone meets the policy. */
export function requireAuthorized(directory: Directory, resource: string, signer: string, ownerOrg?: string): Decision {
  const decision = decide(directory, resource, [signer], ownerOrg)
  if (!decision.verdict.satisfied) throw unauthorized(decision, signer)
  return decision
}

export function unauthorized(decision: Decision, signer: string): WichainError {
  const why = decision.verdict.matches[0]?.reason ?? 'not a registered account of an active organisation'
  const more = decision.verdict.satisfied || decision.verdict.needed <= 1 ? '' : ` (needs ${decision.verdict.needed} organisations: open a proposal)`
  return new WichainError(
    'UNAUTHORIZED',
    `${signer} may not ${decision.resource}: policy ${describePolicy(decision.policy)}; ${why}${more}`,
    {resource: decision.resource, policy: decision.policy, signer},
  )
}
