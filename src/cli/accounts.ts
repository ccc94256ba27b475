/**
 * Helpers of the `account` commands over both kinds of chain: version 1 (the genesis accounts,
 * one role each: `{address, name, role, disabled, disabledAt}`) and version 2 consortium chains
 * (accounts bound to an organisation with roles and permissions: the `accounts` contract's
 * record with `disabled` as its disabled record). Reads answer the version 1 shape unchanged on
 * version 1 chains and add `org`, `roles`, `permissions` on consortium chains.
 */
import {Flags} from '@oclif/core'
import {addressOf} from '../core/crypto/index.js'
import {WichainError} from '../core/errors.js'
import {clientFor, loadKey, type NodeClientFlags} from './context.js'
import {addressFlag, type AccountStatusJson} from './incident.js'
import {sendAndWait, sendFlags, type SendOptions} from './send.js'

/** An account of a consortium chain as the `accounts` contract answers (consortium/view.ts AccountView). */
interface ConsortiumAccountJson {
  readonly address: string
  readonly publicKey: string
  readonly name: string
  readonly org: string
  readonly roles: readonly string[]
  readonly permissions: readonly string[]
  readonly height: number
  readonly txHash: string
  readonly disabled?: {readonly reason: string; readonly height: number; readonly txHash: string; readonly by: string}
}

/** An account as `account show|status|list` print it: version 1's fields, plus org and roles on consortium chains. */
export interface AccountJson extends AccountStatusJson {
  readonly org?: string
  readonly roles?: readonly string[]
  readonly permissions?: readonly string[]
  readonly publicKey?: string
}

function fromConsortium(account: ConsortiumAccountJson): AccountJson {
  return {
    address: account.address,
    name: account.name,
    org: account.org,
    role: account.roles.join(','),
    roles: account.roles,
    permissions: account.permissions,
    publicKey: account.publicKey,
    disabled: account.disabled !== undefined,
    ...(account.disabled === undefined ? {} : {disabledAt: account.disabled}),
  }
}

/** One account, in the shape of the chain's version. */
export async function accountOf(flags: NodeClientFlags, address: string, consortium: boolean): Promise<AccountJson> {
  const {result} = await clientFor(flags).query('accounts', 'get', {address})
  return consortium ? fromConsortium(result as ConsortiumAccountJson) : (result as AccountStatusJson)
}

export interface AccountPage {
  readonly total: number
  readonly offset: number
  readonly accounts: AccountJson[]
}

/** A page of accounts; `org` only on consortium chains; `disabledOnly` filters the page on them. */
export async function accountPage(flags: NodeClientFlags, options: {org?: string; disabledOnly: boolean; offset: number; limit: number}, consortium: boolean): Promise<AccountPage> {
  const client = clientFor(flags)
  if (!consortium) {
    if (options.org !== undefined) throw new WichainError('USAGE', '--org applies to consortium chains only (this chain has one organisation and no `orgs`)')
    const {result} = await client.query('accounts', 'list', {disabledOnly: options.disabledOnly, offset: options.offset, limit: options.limit})
    return result as AccountPage
  }
  const args = {...(options.org === undefined ? {} : {org: options.org}), offset: options.offset, limit: options.limit}
  const {result} = await client.query('accounts', 'list', args)
  const page = result as {total: number; offset: number; accounts: ConsortiumAccountJson[]}
  const accounts = page.accounts.map(fromConsortium).filter((account) => !options.disabledOnly || account.disabled)
  return {total: page.total, offset: page.offset, accounts}
}

/** The address of the account whose keystore is --key. */
export async function signerAddress(flags: {key?: string; 'password-file'?: string}): Promise<string> {
  return addressOf((await loadKey(flags)).publicKey)
}

/** One account as a table row (org and roles on consortium chains). */
export function accountRow(account: AccountJson): Record<string, unknown> {
  return {
    address: account.address,
    name: account.name,
    ...(account.org === undefined ? {role: account.role} : {org: account.org, roles: account.roles, permissions: account.permissions}),
    status: account.disabled ? 'disabled' : 'enabled',
    since: account.disabledAt?.height ?? '',
    reason: account.disabledAt?.reason ?? '',
  }
}

/**
 * Whether disabling/enabling `address` is a consortium-wide action for the --key signer: on a
 * consortium chain, when the account belongs to another organisation than the signer's
 * (`accounts.disable.cross-org`, by proposal); its own organisation's accounts are a direct tx.
 */
export async function crossOrgAccountAction(flags: NodeClientFlags & {key?: string; 'password-file'?: string}, address: string, consortium: boolean): Promise<boolean> {
  if (!consortium) return false
  const target = await accountOf(flags, address, true)
  const signer = await accountOf(flags, await signerAddress(flags), true).catch(() => undefined)
  return signer?.org !== target.org
}

/** Flags of `account grant|revoke`: the account and exactly one of a role or a permission. */
export function accountChangeFlags() {
  return {
    ...sendFlags(),
    address: addressFlag({required: true}),
    role: Flags.string({description: 'a role: orgadmin, auditor, user, devops', exactlyOne: ['role', 'permission']}),
    permission: Flags.string({description: 'a resource, e.g. archive.run', exactlyOne: ['role', 'permission']}),
  }
}

/** `accounts.grant|revoke` of a role or a permission, as a committed tx; its answer. */
export async function changeAccount(flags: SendOptions & {address: string; role?: string; permission?: string}, method: 'grant' | 'revoke') {
  const change = flags.role === undefined ? {permission: flags.permission} : {role: flags.role}
  const committed = await sendAndWait(flags, {contract: 'accounts', method, args: {address: flags.address, ...change}})
  return {txHash: committed.txHash, height: committed.height, ...(committed.result as object)}
}
