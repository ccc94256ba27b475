/**
 * Every operation is a resource with a default policy: system-contract methods (`<contract>.
 * <method>`), user-contract calls (`contract.call`, or `call:<name>` / `call:<name>.<method>`
 * once a policy names them), reads (`chain.read`, `biz.read.plain`) and node operations
 * (`archive.run`, `backup.create`, `metrics.read`, `node.admin`). The defaults express the four
 * levels of spec §8.2; consortium-wide changes need a MAJORITY of org admins. `policy set`
 * overrides a default on chain (itself governed by `policy.set`).
 *
 * `proposers`: roles that may open a proposal for the resource (or run it at once when their one
 * signature meets the policy). A devops proposes a deploy; org admins approve it.
 */
import {parsePolicy, type Policy} from './policy.js'
import type {Role} from './roles.js'

export type ResourceKind = 'write' | 'read' | 'node'

export interface ResourceSpec {
  readonly kind: ResourceKind
  readonly policy: Policy
  readonly proposers: readonly Role[]
  readonly description: string
}

const policy = (rule: Policy['rule'], roles: readonly Role[]): Policy => parsePolicy({rule, orgs: [], roles: [...roles]})
const ADMINS: readonly Role[] = ['orgadmin']
const majority = (description: string, proposers: readonly Role[] = ADMINS): ResourceSpec =>
  ({kind: 'write', policy: policy('MAJORITY', ADMINS), proposers, description})
const self = (description: string, roles: readonly Role[] = ADMINS): ResourceSpec =>
  ({kind: 'write', policy: policy('SELF', roles), proposers: roles, description})
const any = (kind: ResourceKind, roles: readonly Role[], description: string): ResourceSpec =>
  ({kind, policy: policy('ANY', roles), proposers: roles, description})

/** The resource a user-contract call falls back to when no policy names the contract. */
export const USER_CALL_RESOURCE = 'contract.call'

export const DEFAULT_RESOURCES: Readonly<Record<string, ResourceSpec>> = Object.freeze({
  // Consortium membership (L1, consortium-wide).
  'orgs.add': majority('admit an organisation to the consortium'),
  'orgs.remove': majority('remove an organisation (its accounts and nodes stop counting)'),
  'orgs.update': self('change an organisation\'s name or encryption key (its own admins)'),
  // Accounts: an org admin manages its own organisation's accounts (L1).
  'accounts.create': self('create an account in the organisation'),
  'accounts.grant': self('give an account of the organisation a role or a permission'),
  'accounts.revoke': self('take a role or permission from an account of the organisation'),
  'accounts.disable': self('disable an account of the organisation (incident response)'),
  'accounts.enable': self('enable an account of the organisation again'),
  'accounts.disable.cross-org': majority('disable an account of another organisation'),
  'accounts.enable.cross-org': majority('enable an account of another organisation'),
  // Nodes (consortium-wide).
  'nodes.add': majority('add a validator or observer node', ['orgadmin', 'devops']),
  'nodes.remove': majority('remove a node', ['orgadmin', 'devops']),
  'nodes.disable': majority('disable a node (incident response)', ['orgadmin', 'devops']),
  'nodes.enable': majority('enable a node again', ['orgadmin', 'devops']),
  // Contract lifecycle: devops (L4) proposes, org admins approve.
  'contracts.deploy': majority('deploy a user contract', ['devops', 'orgadmin']),
  'contracts.upgrade': majority('upgrade a user contract', ['devops', 'orgadmin']),
  'contracts.freeze': majority('freeze a user contract', ['devops', 'orgadmin']),
  'contracts.unfreeze': majority('unfreeze a user contract', ['devops', 'orgadmin']),
  'contracts.destroy': majority('destroy a user contract', ['devops', 'orgadmin']),
  // Governance itself.
  'policy.set': majority('change the policy of a resource'),
  'chain.params': majority('change a chain parameter'),
  // Business (L3).
  'evidence.put': any('write', ['user'], 'put evidence (a business record digest)'),
  [USER_CALL_RESOURCE]: any('write', ['user'], 'call a user contract (business txs)'),
  // Reads (L2 and everyone registered).
  'chain.read': any('read', ['orgadmin', 'auditor', 'user', 'devops'], 'read blocks, txs, receipts, certificates and state'),
  'biz.read.plain': any('read', ['orgadmin', 'auditor'], 'decrypt business records of the organisation'),
  // Node operations (L2 monitors, archives and backs up; L4 operates).
  'metrics.read': any('node', ['orgadmin', 'auditor', 'devops'], 'read node status and metrics'),
  'archive.run': any('node', ['auditor', 'devops'], 'archive old blocks, restore archived ones'),
  'backup.create': any('node', ['orgadmin', 'auditor', 'devops'], 'take a backup (download the chain)'),
  'node.admin': any('node', ['devops'], 'operate the node (block export, peers)'),
})

export function isKnownResource(resource: string): boolean {
  return Object.hasOwn(DEFAULT_RESOURCES, resource) || isUserCallResource(resource)
}

const USER_CALL_RE = /^call:[A-Za-z_][A-Za-z0-9_.-]*$/

/** `call:<contract>` or `call:<contract>.<method>`: a policy for one user contract (or method). */
export function isUserCallResource(resource: string): boolean {
  return resource.length <= 160 && USER_CALL_RE.test(resource)
}

/**
 * The resources a user-contract call is governed by, most specific first: `call:<c>.<m>`,
 * `call:<c>`, then `contract.call`. The first with a policy (on chain or default) applies.
 */
export function userCallResources(contract: string, method: string): readonly string[] {
  return [`call:${contract}.${method}`, `call:${contract}`, USER_CALL_RESOURCE]
}
