/**
 * `accounts` on version 2 chains: accounts created at run time, each bound to one organisation
 * with one or more roles (never orgadmin and auditor together), single permissions granted one
 * by one, and incident response (disable, enable; spec §8.1.5). An org admin manages its own
 * organisation's accounts (SELF policies); disabling another organisation's account is
 * consortium-wide (`accounts.disable.cross-org`). No lock-out: an organisation keeps at least one
 * enabled org admin. Disabled records keep version 1's key (`disabled/<address>`), so admission
 * and the executor check both versions the same way.
 */
import {policyOf} from '../../authz/authorize.js'
import {isSingleOrgRule} from '../../authz/policy.js'
import {isKnownResource} from '../../authz/resources.js'
import {checkRoles, isRole, type Role} from '../../authz/roles.js'
import {encodeCanonical} from '../../codec/canonical.js'
import {WichainError} from '../../errors.js'
import {disabledKey, type DisabledAccount} from '../contracts/accounts.js'
import {argsObject, type Args} from '../contracts/args.js'
import type {CallContext, ContractState, ResourceRef, SystemContract} from '../contracts/contract.js'
import {consortiumOf, readAddress, readCount, readName, readOrgId, readPublicKey} from './args.js'
import {ACCOUNTS_CONTRACT_NAME, addToList, CONSORTIUM_LIMITS, orgAccountsKey, readList, writeAccount, type AccountRecord} from './records.js'
import type {AccountView} from './view.js'

const NAME = ACCOUNTS_CONTRACT_NAME
const REASON_LENGTH_MAX = 256

function requireAccount(context: CallContext, address: string): AccountView {
  const account = consortiumOf(context).account(address)
  if (account === undefined) throw new WichainError('NOT_FOUND', `${NAME}: ${address} is not a registered account of this chain`)
  return account
}

function senderOrg(context: CallContext): string {
  return consortiumOf(context).account(context.sender.address)?.org ?? ''
}

/** SELF on the target's organisation, or the cross-organisation resource when the sender is from another. */
function targetResource(resource: string, crossOrg: string | undefined) {
  return (rawArgs: unknown, context: CallContext): ResourceRef => {
    const account = requireAccount(context, readAddress(NAME, argsObject(NAME, rawArgs ?? {}).address))
    if (crossOrg !== undefined && account.org !== senderOrg(context)) return {resource: crossOrg, ownerOrg: account.org}
    return {resource, ownerOrg: account.org}
  }
}

/** Enabled org admins of `org` other than `address`. */
function otherEnabledAdmins(context: CallContext, org: string, address: string): number {
  const consortium = consortiumOf(context)
  const created = readList(consortium.state(NAME), orgAccountsKey(org), CONSORTIUM_LIMITS.accountsPerOrgMax, 40)
  const genesis = consortium.genesis.accounts.filter((account) => account.org === org).map((account) => account.address)
  return [...new Set([...genesis, ...created])].filter((candidate) => {
    if (candidate === address) return false
    const account = consortium.account(candidate)
    return account !== undefined && account.disabled === undefined && account.roles.includes('orgadmin')
  }).length
}

function create(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['org', 'name', 'publicKey', 'roles'])
  const org = args.org === undefined ? senderOrg(context) : readOrgId(NAME, args.org)
  if (consortiumOf(context).org(org)?.status !== 'active') throw new WichainError('INVALID_ARGUMENT', `${NAME}: organisation "${org}" is not an active member`)
  const key = readPublicKey(NAME, args.publicKey)
  if (consortiumOf(context).account(key.address) !== undefined) throw new WichainError('ALREADY_EXISTS', `${NAME}: account ${key.address} already exists`)
  if (!Array.isArray(args.roles)) throw new WichainError('INVALID_ARGUMENT', `${NAME}: roles must be a list`)
  const account: AccountRecord = {
    address: key.address, publicKey: key.publicKey, name: readName(NAME, args.name), org,
    roles: checkRoles(args.roles, NAME), permissions: [], height: context.height, txHash: context.txHash,
  }
  addToList(state, orgAccountsKey(org), key.address, CONSORTIUM_LIMITS.accountsPerOrgMax, 40)
  writeAccount(state, account)
  return {account}
}

/** `{address, role}` or `{address, permission}`: exactly one of the two. */
function readChange(args: Args): {role: Role} | {permission: string} {
  if ((args.role === undefined) === (args.permission === undefined)) throw new WichainError('INVALID_ARGUMENT', `${NAME}: give exactly one of role, permission`)
  if (args.role !== undefined) {
    if (!isRole(args.role)) throw new WichainError('INVALID_ARGUMENT', `${NAME}: unknown role ${JSON.stringify(args.role)}`)
    return {role: args.role}
  }
  if (typeof args.permission !== 'string' || !isKnownResource(args.permission)) throw new WichainError('INVALID_ARGUMENT', `${NAME}: permission must be a resource (see policy list)`)
  return {permission: args.permission}
}

function grant(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['address', 'role', 'permission'])
  const account = requireAccount(context, readAddress(NAME, args.address))
  const change = readChange(args)
  let next: AccountRecord
  if ('role' in change) {
    if (account.roles.includes(change.role)) throw new WichainError('ALREADY_EXISTS', `${NAME}: ${account.address} already has role ${change.role}`)
    next = {...recordOf(account), roles: checkRoles([...account.roles, change.role], NAME)}
  } else {
    // A permission stands in for a policy one signature meets; never for a consortium-wide one.
    const policy = policyOf(consortiumOf(context), change.permission)
    if (policy !== undefined && !isSingleOrgRule(policy.rule)) {
      throw new WichainError('INVALID_ARGUMENT', `${NAME}: ${change.permission} is governed by rule ${policy.rule}: a single account cannot be granted it`)
    }
    if (account.permissions.includes(change.permission)) throw new WichainError('ALREADY_EXISTS', `${NAME}: ${account.address} already has permission ${change.permission}`)
    if (account.permissions.length >= CONSORTIUM_LIMITS.permissionsMax) throw new WichainError('PAYLOAD_TOO_LARGE', `${NAME}: at most ${CONSORTIUM_LIMITS.permissionsMax} permissions per account`)
    next = {...recordOf(account), permissions: [...account.permissions, change.permission].sort()}
  }
  writeAccount(state, {...next, height: context.height, txHash: context.txHash})
  return {account: {...next, height: context.height, txHash: context.txHash}}
}

function revoke(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['address', 'role', 'permission'])
  const account = requireAccount(context, readAddress(NAME, args.address))
  const change = readChange(args)
  let next: AccountRecord
  if ('role' in change) {
    if (!account.roles.includes(change.role)) throw new WichainError('NOT_FOUND', `${NAME}: ${account.address} has no role ${change.role}`)
    const roles = account.roles.filter((role) => role !== change.role)
    if (roles.length === 0) throw new WichainError('INVALID_ARGUMENT', `${NAME}: an account keeps at least one role (disable it instead)`)
    if (change.role === 'orgadmin' && otherEnabledAdmins(context, account.org, account.address) === 0) {
      throw new WichainError('INVALID_ARGUMENT', `${NAME}: ${account.address} is the last enabled org admin of ${account.org}`)
    }
    next = {...recordOf(account), roles}
  } else {
    if (!account.permissions.includes(change.permission)) throw new WichainError('NOT_FOUND', `${NAME}: ${account.address} has no permission ${change.permission}`)
    next = {...recordOf(account), permissions: account.permissions.filter((entry) => entry !== change.permission)}
  }
  const record = {...next, height: context.height, txHash: context.txHash}
  writeAccount(state, record)
  return {account: record}
}

function recordOf(account: AccountView): AccountRecord {
  const {disabled: _disabled, ...record} = account
  return record
}

function disable(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['address', 'reason'])
  const account = requireAccount(context, readAddress(NAME, args.address))
  const reason = args.reason ?? ''
  if (typeof reason !== 'string' || reason.length > REASON_LENGTH_MAX || !(reason as string & {isWellFormed(): boolean}).isWellFormed()) {
    throw new WichainError('INVALID_ARGUMENT', `${NAME}: reason must be text of at most ${REASON_LENGTH_MAX} characters`)
  }
  if (account.disabled !== undefined) throw new WichainError('ALREADY_EXISTS', `${NAME}: ${account.address} is already disabled`)
  if (account.roles.includes('orgadmin') && otherEnabledAdmins(context, account.org, account.address) === 0) {
    throw new WichainError('INVALID_ARGUMENT', `${NAME}: cannot disable the last enabled org admin of ${account.org}`)
  }
  const record: DisabledAccount = {address: account.address, reason, height: context.height, txHash: context.txHash, by: context.sender.address}
  state.set(disabledKey(account.address), encodeCanonical({...record}))
  return {account: {...recordOf(account), disabled: record}}
}

function enable(state: ContractState, rawArgs: unknown, context: CallContext) {
  const account = requireAccount(context, readAddress(NAME, argsObject(NAME, rawArgs ?? {}, ['address']).address))
  if (account.disabled === undefined) throw new WichainError('ALREADY_EXISTS', `${NAME}: ${account.address} is already enabled`)
  state.delete(disabledKey(account.address))
  return {account: recordOf(account), wasDisabled: account.disabled}
}

function list(_state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['org', 'offset', 'limit'])
  const consortium = consortiumOf(context)
  const orgs = args.org === undefined ? consortium.orgIds() : [readOrgId(NAME, args.org)]
  const addresses: string[] = []
  for (const org of orgs) {
    const created = readList(consortium.state(NAME), orgAccountsKey(org), CONSORTIUM_LIMITS.accountsPerOrgMax, 40)
    const genesis = consortium.genesis.accounts.filter((account) => account.org === org).map((account) => account.address)
    addresses.push(...genesis, ...created.filter((address) => !genesis.includes(address)))
  }
  const offset = readCount(NAME, args.offset, 'offset', 0, Number.MAX_SAFE_INTEGER)
  const limit = readCount(NAME, args.limit, 'limit', CONSORTIUM_LIMITS.pageMax, CONSORTIUM_LIMITS.pageMax)
  return {total: addresses.length, offset, accounts: addresses.slice(offset, offset + limit).map((address) => requireAccount(context, address))}
}

export const accountsContract: SystemContract = {
  name: NAME,
  description: 'accounts of the consortium: create, grant, revoke (own org); disable, enable; get, list',
  methods: {
    create: {
      readOnly: false,
      resource: (rawArgs, context) => {
        const org = argsObject(NAME, rawArgs ?? {}).org
        return {resource: 'accounts.create', ownerOrg: org === undefined ? senderOrg(context) : readOrgId(NAME, org)}
      },
      run: create,
    },
    grant: {readOnly: false, resource: targetResource('accounts.grant', undefined), run: grant},
    revoke: {readOnly: false, resource: targetResource('accounts.revoke', undefined), run: revoke},
    disable: {readOnly: false, resource: targetResource('accounts.disable', 'accounts.disable.cross-org'), run: disable},
    enable: {readOnly: false, resource: targetResource('accounts.enable', 'accounts.enable.cross-org'), run: enable},
    get: {readOnly: true, run: (_state, rawArgs, context) => requireAccount(context, readAddress(NAME, argsObject(NAME, rawArgs ?? {}, ['address']).address))},
    list: {readOnly: true, run: list},
  },
}

