/**
 * `accounts`: incident response for the chain's accounts (spec §8.1.5). An org admin may disable
 * a registered account (a leaked key, a departed operator) and enable it again. A disabled
 * account's txs are refused at admission (`ACCOUNT_DISABLED`, admission.ts) and, should one reach
 * a block in the same block as its `disable`, fail at execution (executor.ts), so every replica
 * agrees. The last enabled org admin cannot be disabled: nobody could enable anyone again.
 *
 * State: one key per disabled account (`disabled/<address>` → its record), so the check on every
 * tx is one synchronous point read that finds nothing in the usual case, and a sorted index of
 * the disabled addresses for `list`. Accounts and roles themselves come from the genesis.
 *
 * The contract of version 1 chains (one organisation, one role per account, no accounts at run
 * time): kept as it was so their history replays to the same receipts. Version 2 chains have
 * `directory.ts`'s accounts contract.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readRecord, readString, readUint} from '../../codec/fields.js'
import {WichainError} from '../../errors.js'
import type {GenesisAccount, Role} from '../genesis.js'
import {argsObject, type Args} from './args.js'
import type {CallContext, ContractState, SystemContract} from './contract.js'

export const ACCOUNTS_CONTRACT_NAME = 'accounts'
export const ACCOUNTS_LIMITS = Object.freeze({
  /** Accounts disabled at once (the index is one state value). */
  disabledMax: 1024,
  reasonLengthMax: 256,
  /** Accounts in one `list` answer. */
  pageMax: 1000,
})

export interface DisabledAccount {
  readonly address: string
  readonly reason: string
  /** Height and tx of the `disable`, and the org admin who sent it. */
  readonly height: number
  readonly txHash: string
  readonly by: string
}

export interface AccountStatus {
  readonly address: string
  readonly name: string
  readonly role: Role
  readonly disabled: boolean
  /** Present when disabled. */
  readonly disabledAt?: DisabledAccount
}

const ADDRESS_RE = /^[0-9a-f]{40}$/
const INDEX_KEY = 'index'
const RECORD_KEYS = ['address', 'reason', 'height', 'txHash', 'by'] as const

/** The state key (inside the contract's namespace) of an account's disabled record. */
export const disabledKey = (address: string): string => `disabled/${address}`

function readAddress(args: Args): string {
  const address = typeof args.address === 'string' ? args.address.toLowerCase() : ''
  if (!ADDRESS_RE.test(address)) throw new WichainError('INVALID_ARGUMENT', 'accounts: address must be 40 hex characters (an account address)')
  return address
}

function readReason(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value !== 'string' || value.length > ACCOUNTS_LIMITS.reasonLengthMax || !(value as string & {isWellFormed(): boolean}).isWellFormed()) {
    throw new WichainError('INVALID_ARGUMENT', `accounts: reason must be text of at most ${ACCOUNTS_LIMITS.reasonLengthMax} characters`)
  }
  return value
}

function readCount(value: unknown, what: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new WichainError('INVALID_ARGUMENT', `accounts: ${what} must be an integer 0..${max}`)
  }
  return value
}

/** The record of a disabled account, or undefined when it may send txs. */
export function readDisabledAccount(state: Pick<ContractState, 'get'>, address: string): DisabledAccount | undefined {
  const bytes = state.get(disabledKey(address))
  if (bytes === undefined) return undefined
  const what = `disabled account ${address}`
  const fields = readRecord(decodeCanonical(bytes, what), what, RECORD_KEYS)
  return Object.freeze({
    address: readString(fields.address, `${what}.address`, 40),
    reason: readString(fields.reason, `${what}.reason`, ACCOUNTS_LIMITS.reasonLengthMax),
    height: readUint(fields.height, `${what}.height`),
    txHash: readString(fields.txHash, `${what}.txHash`, 64),
    by: readString(fields.by, `${what}.by`, 40),
  })
}

function readIndex(state: Pick<ContractState, 'get'>): readonly string[] {
  const bytes = state.get(INDEX_KEY)
  if (bytes === undefined) return []
  const addresses = readArray(decodeCanonical(bytes, 'disabled accounts index'), 'disabled accounts index', ACCOUNTS_LIMITS.disabledMax)
  return addresses.map((address, index) => readString(address, `disabled accounts index[${index}]`, 40))
}

function storeIndex(state: ContractState, addresses: readonly string[]): void {
  if (addresses.length === 0) state.delete(INDEX_KEY)
  else state.set(INDEX_KEY, encodeCanonical([...addresses].sort()))
}

/** The `accounts` contract of a chain whose genesis registers `accounts`. */
export function createAccountsContract(accounts: readonly GenesisAccount[]): SystemContract {
  const byAddress = new Map(accounts.map((account) => [account.address, account]))
  const orgAdmins = accounts.filter((account) => account.roles[0] === 'orgadmin').map((account) => account.address)

  const registered = (address: string): GenesisAccount => {
    const account = byAddress.get(address)
    if (account === undefined) throw new WichainError('NOT_FOUND', `accounts: ${address} is not a registered account of this chain`)
    return account
  }
  const statusOf = (state: Pick<ContractState, 'get'>, account: GenesisAccount): AccountStatus => {
    const record = readDisabledAccount(state, account.address)
    const status = {address: account.address, name: account.name, role: account.roles[0]!, disabled: record !== undefined}
    return record === undefined ? status : {...status, disabledAt: record}
  }

  const disable = (state: ContractState, rawArgs: unknown, context: CallContext) => {
    const args = argsObject(ACCOUNTS_CONTRACT_NAME, rawArgs ?? {}, ['address', 'reason'])
    const account = registered(readAddress(args))
    const reason = readReason(args.reason)
    if (readDisabledAccount(state, account.address) !== undefined) throw new WichainError('ALREADY_EXISTS', `accounts: ${account.address} is already disabled`)
    // No lock-out: someone must stay able to enable accounts (and to disable a leaked admin key).
    if (account.roles[0] === 'orgadmin' && !orgAdmins.some((address) => address !== account.address && readDisabledAccount(state, address) === undefined)) {
      throw new WichainError('INVALID_ARGUMENT', 'accounts: cannot disable the last enabled org admin')
    }
    const index = readIndex(state)
    if (index.length >= ACCOUNTS_LIMITS.disabledMax) throw new WichainError('PAYLOAD_TOO_LARGE', `accounts: at most ${ACCOUNTS_LIMITS.disabledMax} accounts may be disabled at once`)
    const record: DisabledAccount = {address: account.address, reason, height: context.height, txHash: context.txHash, by: context.sender.address}
    state.set(disabledKey(account.address), encodeCanonical({...record}))
    storeIndex(state, [...index, account.address])
    return {address: account.address, name: account.name, role: account.roles[0]!, disabled: true, disabledAt: record}
  }

  const enable = (state: ContractState, rawArgs: unknown) => {
    const account = registered(readAddress(argsObject(ACCOUNTS_CONTRACT_NAME, rawArgs ?? {}, ['address'])))
    const record = readDisabledAccount(state, account.address)
    if (record === undefined) throw new WichainError('ALREADY_EXISTS', `accounts: ${account.address} is already enabled`)
    state.delete(disabledKey(account.address))
    storeIndex(state, readIndex(state).filter((address) => address !== account.address))
    return {address: account.address, name: account.name, role: account.roles[0]!, disabled: false, wasDisabled: record}
  }

  const list = (state: ContractState, rawArgs: unknown) => {
    const args = argsObject(ACCOUNTS_CONTRACT_NAME, rawArgs ?? {}, ['disabledOnly', 'offset', 'limit'])
    if (args.disabledOnly !== undefined && typeof args.disabledOnly !== 'boolean') throw new WichainError('INVALID_ARGUMENT', 'accounts: disabledOnly must be true or false')
    const offset = readCount(args.offset, 'offset', 0, Number.MAX_SAFE_INTEGER)
    const limit = readCount(args.limit, 'limit', ACCOUNTS_LIMITS.pageMax, ACCOUNTS_LIMITS.pageMax)
    const selected = args.disabledOnly === true ? readIndex(state).map(registered) : accounts
    return {total: selected.length, offset, accounts: selected.slice(offset, offset + limit).map((account) => statusOf(state, account))}
  }

  return {
    name: ACCOUNTS_CONTRACT_NAME,
    description: 'incident response: disable, enable an account (org admin); get, list',
    methods: {
      disable: {readOnly: false, roles: ['orgadmin'], run: disable},
      enable: {readOnly: false, roles: ['orgadmin'], run: (state, args) => enable(state, args)},
      get: {readOnly: true, run: (state, rawArgs) => statusOf(state, registered(readAddress(argsObject(ACCOUNTS_CONTRACT_NAME, rawArgs ?? {}, ['address']))))},
      list: {readOnly: true, run: (state, args) => list(state, args)},
    },
  }
}
