/**
 * Policies (spec §8.2, in ChainMaker's form): who must sign for an operation on a resource.
 * `{rule, orgs, roles}`: a signature counts for its organisation when the signer belongs to one
 * of `orgs` (all active organisations when empty) and holds one of `roles` (any role when
 * empty); the rule says how many organisations must count:
 *
 *   ANY        one organisation
 *   ALL        every organisation in scope
 *   MAJORITY   more than half of the organisations in scope
 *   n          at least n organisations (an integer ≥ 1)
 *   "a/b"      at least the fraction a/b of the organisations in scope
 *   SELF       the organisation that owns the resource (an org's own accounts, nodes)
 *   FORBIDDEN  nobody
 *
 * Pure functions: the same inputs give the same verdict on every node, so the executor can
 * enforce a policy deterministically and `proposal show` can explain any decision afterwards.
 */
import {WichainError} from '../errors.js'
import {isRole, type Role} from './roles.js'

export const POLICY_RULES = ['ANY', 'ALL', 'MAJORITY', 'SELF', 'FORBIDDEN'] as const
export type NamedRule = (typeof POLICY_RULES)[number]
/** A named rule, a count of organisations, or a fraction "a/b". */
export type PolicyRule = NamedRule | number | `${number}/${number}`

export interface Policy {
  readonly rule: PolicyRule
  /** Organisations whose signatures count; empty: every active organisation. */
  readonly orgs: readonly string[]
  /** Roles a signer must hold one of; empty: any role. */
  readonly roles: readonly Role[]
}

export const POLICY_LIMITS = Object.freeze({orgsMax: 100, orgIdLengthMax: 64, countMax: 100})

/** One signature offered for an operation: the signer's account as the chain knows it. */
export interface Endorsement {
  readonly address: string
  readonly org: string
  readonly roles: readonly Role[]
  /** Resources this account was granted one by one (`accounts grant --permission`). */
  readonly permissions?: readonly string[]
}

export interface PolicyContext {
  /** Organisations that are members now (active), sorted. */
  readonly activeOrgs: readonly string[]
  /** The organisation owning the resource, for SELF (e.g. the org of the account being changed). */
  readonly ownerOrg?: string
  /** The resource the policy guards (for permission overrides). */
  readonly resource?: string
}

/** How each signature was counted: an auditor can re-check a decision from this alone. */
export interface ClauseMatch {
  readonly address: string
  readonly org: string
  readonly counted: boolean
  /** Why it counted (the role or the permission) or why not. */
  readonly reason: string
}

export interface PolicyVerdict {
  readonly satisfied: boolean
  /** Organisations whose signatures counted, sorted. */
  readonly orgs: readonly string[]
  /** Organisations that must count (0 for FORBIDDEN: it cannot be met). */
  readonly needed: number
  /** The organisations in scope (SELF: the owner). */
  readonly scope: readonly string[]
  readonly matches: readonly ClauseMatch[]
}

const FRACTION_RE = /^([1-9][0-9]{0,2})\/([1-9][0-9]{0,2})$/
const ORG_ID_RE = /^[a-z0-9][a-z0-9_-]*$/

export function isOrgId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= POLICY_LIMITS.orgIdLengthMax && ORG_ID_RE.test(value)
}

function fail(message: string): never {
  throw new WichainError('INVALID_ARGUMENT', `policy: ${message}`)
}

function parseRule(value: unknown): PolicyRule {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 1 || value > POLICY_LIMITS.countMax) fail(`a count rule must be an integer 1..${POLICY_LIMITS.countMax}`)
    return value
  }
  if (typeof value === 'string' && (POLICY_RULES as readonly string[]).includes(value)) return value as NamedRule
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return parseRule(Number(value))
  const fraction = typeof value === 'string' ? FRACTION_RE.exec(value) : null
  if (fraction !== null) {
    if (Number(fraction[1]) > Number(fraction[2])) fail(`fraction ${value} is above 1`)
    return value as PolicyRule
  }
  return fail(`rule must be one of ${POLICY_RULES.join(', ')}, a count n or a fraction "a/b"; got ${JSON.stringify(value)}`)
}

/** Validates a policy document (from a tx, the CLI or state) strictly. */
export function parsePolicy(value: unknown): Policy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must be an object {rule, orgs, roles}')
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) if (!['rule', 'orgs', 'roles'].includes(key)) fail(`unknown field "${key}"`)
  const orgs = record.orgs ?? []
  const roles = record.roles ?? []
  if (!Array.isArray(orgs) || orgs.length > POLICY_LIMITS.orgsMax || !orgs.every(isOrgId)) fail('orgs must be a list of organisation ids')
  if (!Array.isArray(roles) || !roles.every(isRole)) fail('roles must be a list of orgadmin, auditor, user, devops')
  if (new Set(orgs).size !== orgs.length || new Set(roles).size !== roles.length) fail('orgs and roles must not repeat')
  return Object.freeze({rule: parseRule(record.rule), orgs: Object.freeze([...orgs].sort()), roles: Object.freeze([...roles].sort())})
}

/** The policy as text, e.g. `MAJORITY of orgadmin` or `2 of orgadmin in org1,org2`. */
export function describePolicy(policy: Policy): string {
  const who = policy.roles.length === 0 ? 'any role' : policy.roles.join('|')
  const where = policy.orgs.length === 0 ? '' : ` in ${policy.orgs.join(',')}`
  return policy.rule === 'FORBIDDEN' ? 'FORBIDDEN' : `${policy.rule} of ${who}${where}`
}

/** Organisations a policy needs, out of the `scope` ones. */
function neededOf(rule: PolicyRule, scope: number): number {
  if (rule === 'ANY' || rule === 'SELF') return 1
  if (rule === 'ALL') return scope
  if (rule === 'MAJORITY') return Math.floor(scope / 2) + 1
  if (rule === 'FORBIDDEN') return 0
  if (typeof rule === 'number') return rule
  const [a, b] = rule.split('/').map(Number) as [number, number]
  return Math.max(1, Math.ceil((scope * a) / b))
}

/** Rules a single signature can meet alone: the only ones a per-account permission may stand in for. */
export function isSingleOrgRule(rule: PolicyRule): boolean {
  return rule === 'ANY' || rule === 'SELF' || rule === 1
}

/**
 * Counts `endorsements` against `policy`. Each organisation counts once, whatever number of its
 * accounts signed; a signer from an inactive organisation never counts.
 */
export function evaluatePolicy(policy: Policy, endorsements: readonly Endorsement[], context: PolicyContext): PolicyVerdict {
  const active = new Set(context.activeOrgs)
  const scope = policy.rule === 'SELF'
    ? (context.ownerOrg !== undefined && active.has(context.ownerOrg) ? [context.ownerOrg] : [])
    : (policy.orgs.length === 0 ? [...active] : policy.orgs.filter((org) => active.has(org))).sort()
  const inScope = new Set(scope)
  const counted = new Set<string>()
  const seen = new Set<string>()
  const matches: ClauseMatch[] = []
  for (const endorsement of endorsements) {
    if (seen.has(endorsement.address)) continue
    seen.add(endorsement.address)
    const match = matchOf(policy, endorsement, inScope, context.resource)
    if (match.counted) counted.add(endorsement.org)
    matches.push(match)
  }
  const needed = neededOf(policy.rule, scope.length)
  const satisfied = policy.rule !== 'FORBIDDEN' && scope.length > 0 && counted.size >= needed
  return Object.freeze({satisfied, orgs: Object.freeze([...counted].sort()), needed, scope: Object.freeze(scope), matches: Object.freeze(matches)})
}

function matchOf(policy: Policy, endorsement: Endorsement, inScope: ReadonlySet<string>, resource: string | undefined): ClauseMatch {
  const base = {address: endorsement.address, org: endorsement.org}
  if (policy.rule === 'FORBIDDEN') return {...base, counted: false, reason: 'the policy forbids this operation'}
  if (!inScope.has(endorsement.org)) return {...base, counted: false, reason: `organisation ${endorsement.org} is not in the policy's scope`}
  if (resource !== undefined && isSingleOrgRule(policy.rule) && endorsement.permissions?.includes(resource) === true) {
    return {...base, counted: true, reason: `permission ${resource} granted to the account`}
  }
  const role = policy.roles.length === 0 ? endorsement.roles[0] : policy.roles.find((wanted) => endorsement.roles.includes(wanted))
  if (role === undefined) return {...base, counted: false, reason: `needs role ${policy.roles.join('|')}; has ${endorsement.roles.join('|') || 'none'}`}
  return {...base, counted: true, reason: `role ${role}`}
}
