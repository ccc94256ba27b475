/**
 * `policy`: the policy in force for each resource — the default table (authz/resources.ts) with
 * the overrides set on chain. `set` is itself governed (`policy.set`, a MAJORITY of org admins
 * by default); `{policy: null}` returns a resource to its default. Pending proposals keep the
 * policy they were created under (governance snapshots it).
 */
import {policyOf, resourceSpec} from '../../authz/authorize.js'
import {describePolicy, parsePolicy} from '../../authz/policy.js'
import {DEFAULT_RESOURCES, isKnownResource} from '../../authz/resources.js'
import {encodeCanonical} from '../../codec/canonical.js'
import {WichainError} from '../../errors.js'
import {argsObject} from '../contracts/args.js'
import type {CallContext, ContractState, SystemContract} from '../contracts/contract.js'
import {consortiumOf} from './args.js'
import {addToList, CONSORTIUM_LIMITS, POLICY_CONTRACT_NAME, POLICY_INDEX_KEY, policyKey, readList, removeFromList} from './records.js'

const NAME = POLICY_CONTRACT_NAME
/** Resources with a policy set on chain (the index is one state value). */
const OVERRIDES_MAX = 1024

function readResource(value: unknown): string {
  if (typeof value !== 'string' || !isKnownResource(value)) throw new WichainError('INVALID_ARGUMENT', `${NAME}: unknown resource ${JSON.stringify(value)} (see policy list)`)
  return value
}

function show(context: CallContext, resource: string) {
  const consortium = consortiumOf(context)
  const policy = policyOf(consortium, resource) ?? resourceSpec(resource)!.policy
  const spec = resourceSpec(resource)!
  return {resource, kind: spec.kind, policy, text: describePolicy(policy), proposers: spec.proposers, overridden: consortium.policyOverride(resource) !== undefined, description: spec.description}
}

function set(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['resource', 'policy'])
  const resource = readResource(args.resource)
  if (args.policy === null) {
    state.delete(policyKey(resource))
    removeFromList(state, POLICY_INDEX_KEY, resource, OVERRIDES_MAX, CONSORTIUM_LIMITS.resourceLengthMax)
  } else {
    const policy = parsePolicy(args.policy)
    for (const org of policy.orgs) if (consortiumOf(context).org(org) === undefined) throw new WichainError('INVALID_ARGUMENT', `${NAME}: no organisation "${org}"`)
    state.set(policyKey(resource), encodeCanonical({rule: policy.rule, orgs: [...policy.orgs], roles: [...policy.roles]}))
    addToList(state, POLICY_INDEX_KEY, resource, OVERRIDES_MAX, CONSORTIUM_LIMITS.resourceLengthMax)
  }
  return show(context, resource)
}

export const policyContract: SystemContract = {
  name: NAME,
  description: 'the policy of every resource: set (governed), get, list',
  methods: {
    set: {readOnly: false, run: set},
    get: {readOnly: true, run: (_state, rawArgs, context) => show(context, readResource(argsObject(NAME, rawArgs ?? {}, ['resource']).resource))},
    list: {
      readOnly: true,
      run: (state, _rawArgs, context) => {
        const overridden = readList(state, POLICY_INDEX_KEY, OVERRIDES_MAX, CONSORTIUM_LIMITS.resourceLengthMax)
        const resources = [...new Set([...Object.keys(DEFAULT_RESOURCES), ...overridden])]
        return {resources: resources.map((resource) => show(context, resource))}
      },
    },
  },
}
