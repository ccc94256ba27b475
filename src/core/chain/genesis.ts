/**
 * The genesis document: what every node of a chain agrees on before block 1 — chain id,
 * consensus kind, the founding organisations, validator (node) keys, the accounts with their
 * organisation and roles, and chain parameters. Its canonical SM3 hash is the genesis block's
 * stateRoot, so the genesis block hash pins it.
 *
 * Version 2 names organisations. A version 1 document (chains made before organisations: four
 * accounts with one role each) still parses, as one organisation `org1` holding every account
 * and node; its digest is computed over the version 1 shape, so its chain keeps its hash, and it
 * keeps the version 1 authorisation rules (executor.ts) so its history replays the same.
 */
import {BLOCK_TXS_MAX} from '../limits.js'
import {isOrgId, POLICY_LIMITS} from '../authz/policy.js'
import {checkRoles, ROLES, type Role} from '../authz/roles.js'
import {fromHex, toHex} from '../bytes.js'
import {encodeCanonical} from '../codec/canonical.js'
import {addressOf, validatePublicKey} from '../crypto/sm2.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'
import {createBlock, type Block} from '../types/block.js'
import {CONSENSUS_KINDS, type ConsensusKind} from '../types/certificate.js'
import {EMPTY_ROOT} from '../types/merkle.js'
import {CHAIN_ID_RE} from '../types/tx.js'

export {ROLES, type Role} from '../authz/roles.js'

/** The organisation of every account and node of a version 1 genesis. */
export const LEGACY_ORG_ID = 'org1'

export interface GenesisOrg {
  /** Short id: lowercase letters, digits, `-`, `_` (authz isOrgId). */
  readonly id: string
  readonly name: string
  /** Hex of the organisation's 65-byte SM2 encryption public key (record keys are wrapped for it); "" when none. */
  readonly encryptionKey: string
}

export interface GenesisValidator {
  readonly name: string
  /** Hex of the 65-byte SM2 node public key. */
  readonly publicKey: string
  /**
   * The organisation running the node. Absent in a version 1 genesis (its node set keeps the
   * version 1 shape; the node is organisation org1's).
   */
  readonly org?: string
}

export interface GenesisAccount {
  readonly name: string
  readonly org: string
  /** Sorted; never both orgadmin and auditor. A version 1 account has exactly one. */
  readonly roles: readonly Role[]
  readonly publicKey: string
  readonly address: string
}

export interface ChainParams {
  /** Most txs in one block. */
  readonly blockTxsMax: number
  /** How long a proposer waits for txs before cutting a non-empty block. */
  readonly blockIntervalMs: number
  /** A tx's expiry may be at most this many blocks ahead of the head. */
  readonly txExpiryWindow: number
  /** Most txs held in the mempool. */
  readonly mempoolTxsMax: number
  /**
   * Gas limit of one contract call (a tx or a query). Optional so that genesis documents written
   * before contracts keep their digest; read it with `txGasMaxOf`.
   */
  readonly txGasMax?: number
  /**
   * Gas limit of one block (sum over its txs): bounds how long a block takes to execute. A
   * proposer leaves the txs beyond it for the next block; validators refuse a block above it.
   * Optional like txGasMax; read it with `blockGasMaxOf`. At least txGasMax.
   */
  readonly blockGasMax?: number
}

/** ≈0.1 s of a tight loop on these machines; a counter increment costs ≈17 k. */
export const DEFAULT_TX_GAS_MAX = 10_000_000
export const TX_GAS_MAX_RANGE = Object.freeze({min: 100_000, max: 1_000_000_000})

export function txGasMaxOf(params: ChainParams): number {
  return params.txGasMax ?? DEFAULT_TX_GAS_MAX
}

/** ≈2 s of tight loops: twenty calls at the default tx limit. */
export const DEFAULT_BLOCK_GAS_MAX = 200_000_000
export const BLOCK_GAS_MAX_LIMIT = 100_000_000_000

export function blockGasMaxOf(params: ChainParams): number {
  return Math.max(params.blockGasMax ?? DEFAULT_BLOCK_GAS_MAX, txGasMaxOf(params))
}

export const DEFAULT_PARAMS: ChainParams = Object.freeze({
  blockTxsMax: 2000,
  blockIntervalMs: 100,
  txExpiryWindow: 1000,
  mempoolTxsMax: 50_000,
  txGasMax: DEFAULT_TX_GAS_MAX,
})

export interface Genesis {
  readonly version: 1 | 2
  readonly chainId: string
  readonly consensus: ConsensusKind
  /** ms since the epoch; the genesis block's timestamp. */
  readonly timestamp: number
  readonly orgs: readonly GenesisOrg[]
  readonly validators: readonly GenesisValidator[]
  readonly accounts: readonly GenesisAccount[]
  readonly params: ChainParams
}

function fail(message: string): never {
  throw new WichainError('INVALID_ARGUMENT', `genesis: ${message}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export const GENESIS_NAME_LENGTH_MAX = 64

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= GENESIS_NAME_LENGTH_MAX
}

function parsePublicKey(value: unknown, what: string): string {
  if (typeof value !== 'string') fail(`${what} must be a hex public key`)
  const key = fromHex(value, what)
  validatePublicKey(key)
  return toHex(key)
}

/** Validate a parsed genesis JSON document strictly (version 1 or 2). */
export function parseGenesis(document: unknown): Genesis {
  if (!isRecord(document)) fail('not an object')
  if (document.version !== 1 && document.version !== 2) fail('unsupported version (1 or 2)')
  const version = document.version
  const chainId = document.chainId
  if (typeof chainId !== 'string' || !CHAIN_ID_RE.test(chainId) || chainId.length > 64) fail('bad chainId')
  if (!CONSENSUS_KINDS.includes(document.consensus as ConsensusKind)) fail('bad consensus kind')
  const timestamp = document.timestamp
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) fail('bad timestamp')
  const orgs = version === 1 ? [Object.freeze({id: LEGACY_ORG_ID, name: LEGACY_ORG_ID, encryptionKey: ''})] : parseOrgs(document.orgs)
  const orgIds = new Set(orgs.map((org) => org.id))
  const orgOf = (value: unknown, what: string): string => {
    if (version === 1) return LEGACY_ORG_ID
    if (typeof value !== 'string' || !orgIds.has(value)) fail(`${what} must name an organisation of the genesis`)
    return value
  }
  if (!Array.isArray(document.validators) || document.validators.length === 0 || document.validators.length > 100) {
    fail('validators must be a list of 1..100 nodes')
  }
  const validators = document.validators.map((entry, index): GenesisValidator => {
    if (!isRecord(entry) || !isName(entry.name)) fail(`validators[${index}] malformed (name must be 1..${GENESIS_NAME_LENGTH_MAX} characters)`)
    const validator = {name: entry.name, publicKey: parsePublicKey(entry.publicKey, `validators[${index}].publicKey`)}
    return Object.freeze(version === 1 ? validator : {...validator, org: orgOf(entry.org, `validators[${index}].org`)})
  })
  if (new Set(validators.map((v) => v.publicKey)).size !== validators.length) fail('duplicate validator key')
  if (!Array.isArray(document.accounts) || document.accounts.length > 10_000) fail('accounts must be a list')
  const accounts = document.accounts.map((entry, index): GenesisAccount => {
    if (!isRecord(entry) || !isName(entry.name)) fail(`accounts[${index}] malformed (name must be 1..${GENESIS_NAME_LENGTH_MAX} characters)`)
    const roles = version === 1 ? parseLegacyRole(entry.role, index) : parseRoles(entry.roles, index)
    const publicKey = parsePublicKey(entry.publicKey, `accounts[${index}].publicKey`)
    const address = addressOf(fromHex(publicKey))
    if (entry.address !== address) fail(`accounts[${index}].address does not match its public key`)
    return Object.freeze({name: entry.name, org: orgOf(entry.org, `accounts[${index}].org`), roles, publicKey, address})
  })
  // One entry per account: the chain maps address → account, so a second entry would silently win.
  if (new Set(accounts.map((account) => account.address)).size !== accounts.length) fail('duplicate account key')
  if (version === 2) {
    for (const org of orgs) {
      if (!accounts.some((account) => account.org === org.id && account.roles.includes('orgadmin'))) fail(`organisation ${org.id} has no orgadmin account`)
    }
  }
  const params = parseParams(document.params)
  if (document.consensus === 'solo' && validators.length !== 1) fail('solo consensus needs exactly one validator')
  const genesis: Genesis = {version, chainId, consensus: document.consensus as ConsensusKind, timestamp, orgs: Object.freeze(orgs), validators, accounts, params}
  // JSON.stringify writes the document as hashed (a version 1 genesis in its own shape).
  Object.defineProperty(genesis, 'toJSON', {value: () => genesisDocument(genesis), enumerable: false})
  return Object.freeze(genesis)
}

function parseOrgs(value: unknown): GenesisOrg[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > POLICY_LIMITS.orgsMax) fail(`orgs must be a list of 1..${POLICY_LIMITS.orgsMax} organisations`)
  const orgs = value.map((entry, index): GenesisOrg => {
    if (!isRecord(entry) || !isOrgId(entry.id)) fail(`orgs[${index}].id must be lowercase letters, digits, - or _ (at most ${POLICY_LIMITS.orgIdLengthMax})`)
    if (!isName(entry.name)) fail(`orgs[${index}].name must be 1..${GENESIS_NAME_LENGTH_MAX} characters`)
    const encryptionKey = entry.encryptionKey === '' || entry.encryptionKey === undefined ? '' : parsePublicKey(entry.encryptionKey, `orgs[${index}].encryptionKey`)
    return Object.freeze({id: entry.id, name: entry.name, encryptionKey})
  })
  if (new Set(orgs.map((org) => org.id)).size !== orgs.length) fail('duplicate organisation id')
  return orgs
}

function parseLegacyRole(value: unknown, index: number): readonly Role[] {
  if (!ROLES.includes(value as Role)) fail(`accounts[${index}].role must be one of ${ROLES.join(', ')}`)
  return Object.freeze([value as Role])
}

function parseRoles(value: unknown, index: number): readonly Role[] {
  if (!Array.isArray(value)) fail(`accounts[${index}].roles must be a list of ${ROLES.join(', ')}`)
  try {
    return checkRoles(value, `accounts[${index}]`)
  } catch (error) {
    return fail((error as Error).message)
  }
}

/**
 * The document as written and hashed: a version 1 genesis in its own shape (no organisations,
 * one role per account), so chains made before organisations keep their genesis hash.
 */
export function genesisDocument(genesis: Genesis): Record<string, unknown> {
  if (genesis.version === 2) return {...genesis, orgs: genesis.orgs.map((org) => ({...org})), validators: genesis.validators.map((v) => ({...v})), accounts: genesis.accounts.map((a) => ({...a, roles: [...a.roles]})), params: {...genesis.params}}
  const {orgs: _orgs, ...rest} = genesis
  return {
    ...rest,
    validators: genesis.validators.map(({name, publicKey}) => ({name, publicKey})),
    accounts: genesis.accounts.map(({name, roles, publicKey, address}) => ({name, role: roles[0], publicKey, address})),
  }
}

/** Validates chain parameters (a genesis's, or the ones a `params.set` would make). */
export function parseParams(value: unknown): ChainParams {
  if (!isRecord(value)) fail('params missing')
  const read = (name: keyof ChainParams, min: number, max: number): number => {
    const number = value[name]
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < min || number > max) {
      fail(`params.${name} must be an integer in ${min}..${max}`)
    }
    return number
  }
  const params: ChainParams = {
    blockTxsMax: read('blockTxsMax', 1, BLOCK_TXS_MAX),
    blockIntervalMs: read('blockIntervalMs', 1, 60_000),
    txExpiryWindow: read('txExpiryWindow', 1, 1_000_000),
    mempoolTxsMax: read('mempoolTxsMax', 1, 1_000_000),
  }
  // Absent stays absent (the default applies): the digest of an older genesis must not change.
  const txGasMax = value.txGasMax === undefined ? undefined : read('txGasMax', TX_GAS_MAX_RANGE.min, TX_GAS_MAX_RANGE.max)
  const blockGasMax = value.blockGasMax === undefined ? undefined : read('blockGasMax', TX_GAS_MAX_RANGE.min, BLOCK_GAS_MAX_LIMIT)
  if (blockGasMax !== undefined && blockGasMax < (txGasMax ?? DEFAULT_TX_GAS_MAX)) fail(`params.blockGasMax ${blockGasMax} is below txGasMax: a single tx would not fit`)
  return Object.freeze({...params, ...(txGasMax === undefined ? {} : {txGasMax}), ...(blockGasMax === undefined ? {} : {blockGasMax})})
}

export function genesisDigest(genesis: Genesis): Uint8Array {
  return sm3(encodeCanonical(genesisDocument(genesis)))
}

/** Height 0: no txs; its stateRoot is the genesis digest, so its hash names the whole genesis. */
export function genesisBlock(genesis: Genesis): Block {
  return createBlock(
    {
      chainId: genesis.chainId,
      height: 0,
      prevHash: new Uint8Array(32),
      txRoot: EMPTY_ROOT,
      receiptRoot: EMPTY_ROOT,
      stateRoot: genesisDigest(genesis),
      timestamp: genesis.timestamp,
      proposer: new Uint8Array(0),
      round: 0,
      txCount: 0,
    },
    [],
  )
}
