/**
 * The consortium as the chain knows it at one point of execution: organisations, accounts and
 * policies, from the genesis overridden by state. It is the authz `Directory` every enforcement
 * point evaluates policies against: the executor over a tx's overlay, admission and the API over
 * committed state.
 */
import type {Directory} from '../../authz/authorize.js'
import {parsePolicy, type Endorsement, type Policy} from '../../authz/policy.js'
import {decodeCanonical} from '../../codec/canonical.js'
import {readDisabledAccount, type DisabledAccount} from '../contracts/accounts.js'
import type {Genesis} from '../genesis.js'
import {
  ACCOUNTS_CONTRACT_NAME, CONSORTIUM_LIMITS, ORG_INDEX_KEY, ORGS_CONTRACT_NAME, POLICY_CONTRACT_NAME, policyKey, readAccount, readList, readOrg,
  type AccountRecord, type OrgRecord, type StateReader,
} from './records.js'

/** Reads a key of a contract's namespace. */
export type ContractReader = (contract: string, key: string) => Uint8Array | undefined

export interface AccountView extends AccountRecord {
  readonly disabled?: DisabledAccount
}

export class ConsortiumView implements Directory {
  private readonly genesisOrgs: ReadonlyMap<string, OrgRecord>
  private readonly genesisAccounts: ReadonlyMap<string, AccountRecord>

  constructor(
    readonly genesis: Genesis,
    private readonly read: ContractReader,
  ) {
    this.genesisOrgs = new Map(genesis.orgs.map((org) => [org.id, Object.freeze({...org, status: 'active' as const, height: 0, txHash: ''})]))
    this.genesisAccounts = new Map(genesis.accounts.map((account) => [account.address, Object.freeze({...account, permissions: [], height: 0, txHash: ''})]))
  }

  state(contract: string): StateReader {
    return {get: (key) => this.read(contract, key)}
  }

  org(id: string): OrgRecord | undefined {
    return readOrg(this.state(ORGS_CONTRACT_NAME), id) ?? this.genesisOrgs.get(id)
  }

  /** Every organisation ever admitted (genesis and run time), sorted by id. */
  orgIds(): readonly string[] {
    const added = readList(this.state(ORGS_CONTRACT_NAME), ORG_INDEX_KEY, CONSORTIUM_LIMITS.orgsMax, 64)
    return [...new Set([...this.genesisOrgs.keys(), ...added])].sort()
  }

  activeOrgs(): readonly string[] {
    return this.orgIds().filter((id) => this.org(id)?.status === 'active')
  }

  /** The account record (state, else genesis), with its disabled record; undefined when unknown. */
  account(address: string): AccountView | undefined {
    const record = readAccount(this.state(ACCOUNTS_CONTRACT_NAME), address) ?? this.genesisAccounts.get(address)
    if (record === undefined) return undefined
    const disabled = readDisabledAccount(this.state(ACCOUNTS_CONTRACT_NAME), address)
    return disabled === undefined ? record : {...record, disabled}
  }

  /** An account that may act: registered, enabled, in an active organisation. */
  endorsementOf(address: string): Endorsement | undefined {
    const account = this.account(address)
    if (account === undefined || account.disabled !== undefined || this.org(account.org)?.status !== 'active') return undefined
    return {address, org: account.org, roles: account.roles, permissions: account.permissions}
  }

  policyOverride(resource: string): Policy | undefined {
    const bytes = this.read(POLICY_CONTRACT_NAME, policyKey(resource))
    return bytes === undefined ? undefined : parsePolicy(decodeCanonical(bytes, `policy ${resource}`))
  }
}
