/**
 * The consortium's records in state (version 2 chains): organisations (`orgs` contract),
 * accounts created or changed at run time (`accounts` contract) and policies set on chain
 * (`policy` contract). The genesis is the base; a record in state overrides it, so a chain
 * needs no state at height 0 and a genesis account changed later (a granted role) is a record.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readEnum, readRecord, readString, readUint} from '../../codec/fields.js'
import {POLICY_LIMITS} from '../../authz/policy.js'
import {checkRoles, type Role} from '../../authz/roles.js'
import {WichainError} from '../../errors.js'

export const ORGS_CONTRACT_NAME = 'orgs'
export {ACCOUNTS_CONTRACT_NAME} from '../contracts/accounts.js'
export const POLICY_CONTRACT_NAME = 'policy'

export const CONSORTIUM_LIMITS = Object.freeze({
  orgsMax: POLICY_LIMITS.orgsMax,
  /** Accounts created at run time per organisation (its index is one state value). */
  accountsPerOrgMax: 2000,
  nameLengthMax: 64,
  /** Resources an account holds as single permissions. */
  permissionsMax: 32,
  resourceLengthMax: 160,
  /** Entries in one `list` answer. */
  pageMax: 1000,
})

export const ORG_STATUSES = ['active', 'removed'] as const
export type OrgStatus = (typeof ORG_STATUSES)[number]

export interface OrgRecord {
  readonly id: string
  readonly name: string
  readonly encryptionKey: string
  readonly status: OrgStatus
  /** Height and tx of the last change (0 and "" for a genesis organisation never changed). */
  readonly height: number
  readonly txHash: string
}

export interface AccountRecord {
  readonly address: string
  readonly publicKey: string
  readonly name: string
  readonly org: string
  readonly roles: readonly Role[]
  readonly permissions: readonly string[]
  readonly height: number
  readonly txHash: string
}

/** A contract's slice of state, as the executor hands it out. */
export interface StateReader {
  get(key: string): Uint8Array | undefined
}
export interface StateWriter extends StateReader {
  set(key: string, value: Uint8Array): void
  delete(key: string): void
}

export const orgKey = (id: string): string => `org/${id}`
export const ORG_INDEX_KEY = 'index'
export const accountKey = (address: string): string => `account/${address}`
export const orgAccountsKey = (org: string): string => `org-accounts/${org}`
export const policyKey = (resource: string): string => `policy/${resource}`
export const POLICY_INDEX_KEY = 'index'

const ORG_KEYS = ['id', 'name', 'encryptionKey', 'status', 'height', 'txHash'] as const
const ACCOUNT_KEYS = ['address', 'publicKey', 'name', 'org', 'roles', 'permissions', 'height', 'txHash'] as const

export function readOrg(state: StateReader, id: string): OrgRecord | undefined {
  const bytes = state.get(orgKey(id))
  if (bytes === undefined) return undefined
  const what = `org ${id}`
  const fields = readRecord(decodeCanonical(bytes, what), what, ORG_KEYS)
  return Object.freeze({
    id: readString(fields.id, `${what}.id`, POLICY_LIMITS.orgIdLengthMax),
    name: readString(fields.name, `${what}.name`, CONSORTIUM_LIMITS.nameLengthMax),
    encryptionKey: readString(fields.encryptionKey, `${what}.encryptionKey`, 130),
    status: readEnum(fields.status, `${what}.status`, ORG_STATUSES),
    height: readUint(fields.height, `${what}.height`),
    txHash: readString(fields.txHash, `${what}.txHash`, 64),
  })
}

export function writeOrg(state: StateWriter, record: OrgRecord): void {
  state.set(orgKey(record.id), encodeCanonical({...record}))
}

export function readAccount(state: StateReader, address: string): AccountRecord | undefined {
  const bytes = state.get(accountKey(address))
  if (bytes === undefined) return undefined
  const what = `account ${address}`
  const fields = readRecord(decodeCanonical(bytes, what), what, ACCOUNT_KEYS)
  return Object.freeze({
    address: readString(fields.address, `${what}.address`, 40),
    publicKey: readString(fields.publicKey, `${what}.publicKey`, 130),
    name: readString(fields.name, `${what}.name`, CONSORTIUM_LIMITS.nameLengthMax),
    org: readString(fields.org, `${what}.org`, POLICY_LIMITS.orgIdLengthMax),
    roles: checkRoles(readArray(fields.roles, `${what}.roles`, 4), what),
    permissions: Object.freeze(readArray(fields.permissions, `${what}.permissions`, CONSORTIUM_LIMITS.permissionsMax).map((entry, index) => readString(entry, `${what}.permissions[${index}]`, CONSORTIUM_LIMITS.resourceLengthMax))),
    height: readUint(fields.height, `${what}.height`),
    txHash: readString(fields.txHash, `${what}.txHash`, 64),
  })
}

export function writeAccount(state: StateWriter, record: AccountRecord): void {
  state.set(accountKey(record.address), encodeCanonical({...record, roles: [...record.roles], permissions: [...record.permissions]}))
}

/** A sorted list of strings kept as one state value (an index). */
export function readList(state: StateReader, key: string, countMax: number, itemLengthMax: number): readonly string[] {
  const bytes = state.get(key)
  if (bytes === undefined) return []
  return readArray(decodeCanonical(bytes, key), key, countMax).map((item, index) => readString(item, `${key}[${index}]`, itemLengthMax))
}

export function addToList(state: StateWriter, key: string, item: string, countMax: number, itemLengthMax: number): void {
  const items = readList(state, key, countMax, itemLengthMax)
  if (items.includes(item)) return
  if (items.length >= countMax) throw new WichainError('PAYLOAD_TOO_LARGE', `${key}: at most ${countMax} entries`)
  state.set(key, encodeCanonical([...items, item].sort()))
}

export function removeFromList(state: StateWriter, key: string, item: string, countMax: number, itemLengthMax: number): void {
  const items = readList(state, key, countMax, itemLengthMax).filter((entry) => entry !== item)
  if (items.length === 0) state.delete(key)
  else state.set(key, encodeCanonical(items))
}
