/**
 * The on-chain registry of user (WASM) contracts, kept in the `contracts` system contract's
 * state: one record per name, the instrumented code by code hash, an index of names, and per-
 * contract figures. Read by the manager (lifecycle txs) and by the executor (calls), so it
 * holds no WASM tooling: the call path never loads binaryen.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readEnum, readRecord, readString, readUint} from '../../codec/fields.js'
import {LruMap} from '../../crypto/lru.js'
import {WichainError} from '../../errors.js'
import type {ContractState} from './contract.js'

export const MANAGER_NAME = 'contracts'

export const REGISTRY_LIMITS = Object.freeze({
  /** User contracts on one chain (the name index is one state value). */
  contractsMax: 1024,
  nameLengthMax: 64,
  versionTagLengthMax: 32,
  methodsMax: 256,
  methodNameLengthMax: 64,
})

/**
 * Names a user contract may not take: the system contracts that exist or are planned (the
 * executor resolves system contracts first, so a user contract of that name could never run).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  MANAGER_NAME, 'evidence', 'governance', 'rbac', 'accounts', 'roles', 'permissions', 'nodes',
  'chain', 'chains', 'crosschain', 'system', 'config', 'policy', 'policies', 'biz', 'orgs', 'params',
])

/** Same shape as a tx's contract field (types/tx.ts NAME_RE), so every name can be called. */
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const HASH_RE = /^[0-9a-f]{64}$/

export const CONTRACT_STATUSES = ['active', 'frozen', 'destroyed'] as const
export type ContractStatus = (typeof CONTRACT_STATUSES)[number]

export interface ContractRecord {
  readonly name: string
  /** 1 at deploy, +1 per upgrade. */
  readonly version: number
  /** The author's own version label (e.g. "1.2.0"); "" when not given. */
  readonly versionTag: string
  /** SM3 of the uploaded (uninstrumented) code, hex. */
  readonly codeHash: string
  readonly codeBytes: number
  readonly methods: readonly string[]
  readonly status: ContractStatus
  /** Address of the account that deployed it. */
  readonly deployer: string
  /** Height of the deploy. */
  readonly height: number
  /** Height and tx of the last lifecycle step (deploy, upgrade, freeze, unfreeze, destroy). */
  readonly updatedHeight: number
  readonly updatedTx: string
}

const RECORD_KEYS = ['name', 'version', 'versionTag', 'codeHash', 'codeBytes', 'methods', 'status', 'deployer', 'height', 'updatedHeight', 'updatedTx'] as const

export function isContractName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= REGISTRY_LIMITS.nameLengthMax && NAME_RE.test(name)
}

const recordKey = (name: string): string => `record/${name}`
const codeKey = (codeHash: string): string => `code/${codeHash}`
const INDEX_KEY = 'index'

export function loadRecord(state: ContractState, name: string): ContractRecord | undefined {
  const bytes = state.get(recordKey(name))
  if (bytes === undefined) return undefined
  const what = `contract record ${name}`
  const fields = readRecord(decodeCanonical(bytes, what), what, RECORD_KEYS)
  return Object.freeze({
    name: readString(fields.name, `${what}.name`, REGISTRY_LIMITS.nameLengthMax),
    version: readUint(fields.version, `${what}.version`),
    versionTag: readString(fields.versionTag, `${what}.versionTag`, REGISTRY_LIMITS.versionTagLengthMax),
    codeHash: readString(fields.codeHash, `${what}.codeHash`, 64),
    codeBytes: readUint(fields.codeBytes, `${what}.codeBytes`),
    methods: Object.freeze(readArray(fields.methods, `${what}.methods`, REGISTRY_LIMITS.methodsMax).map((method, index) => readString(method, `${what}.methods[${index}]`, REGISTRY_LIMITS.methodNameLengthMax))),
    status: readEnum(fields.status, `${what}.status`, CONTRACT_STATUSES),
    deployer: readString(fields.deployer, `${what}.deployer`, 40),
    height: readUint(fields.height, `${what}.height`),
    updatedHeight: readUint(fields.updatedHeight, `${what}.updatedHeight`),
    updatedTx: readString(fields.updatedTx, `${what}.updatedTx`, 64),
  })
}

export function storeRecord(state: ContractState, record: ContractRecord): void {
  state.set(recordKey(record.name), encodeCanonical({...record, methods: [...record.methods]}))
}

/** Record of a user contract, or UNKNOWN_CONTRACT. */
export function requireRecord(state: ContractState, name: string): ContractRecord {
  const record = isContractName(name) ? loadRecord(state, name) : undefined
  if (record === undefined) throw new WichainError('UNKNOWN_CONTRACT', `no contract "${name}" is deployed`)
  return record
}

/** A call through a tx is refused unless the contract is active. */
export function checkCallable(record: ContractRecord): void {
  if (record.status === 'frozen') {
    throw new WichainError('CONTRACT_FROZEN', `contract "${record.name}" is frozen since height ${record.updatedHeight}: calls are refused until an org admin unfreezes it`)
  }
  if (record.status === 'destroyed') {
    throw new WichainError('CONTRACT_DESTROYED', `contract "${record.name}" was destroyed at height ${record.updatedHeight}: calls are refused for good (its state stays readable)`)
  }
}

export function listNames(state: ContractState): readonly string[] {
  const bytes = state.get(INDEX_KEY)
  if (bytes === undefined) return []
  const names = readArray(decodeCanonical(bytes, 'contract index'), 'contract index', REGISTRY_LIMITS.contractsMax)
  return names.map((name, index) => readString(name, `contract index[${index}]`, REGISTRY_LIMITS.nameLengthMax))
}

export function addName(state: ContractState, name: string): void {
  const names = listNames(state)
  if (names.length >= REGISTRY_LIMITS.contractsMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `this chain already has ${REGISTRY_LIMITS.contractsMax} contracts (the limit)`)
  }
  state.set(INDEX_KEY, encodeCanonical([...names, name].sort()))
}

/**
 * Instrumented code is a pure function of the uploaded code (the gas pass is deterministic) and
 * is never deleted, so once a record in state names a code hash, a cache by that hash returns
 * exactly what state holds, without a read and a fresh copy the runtime would hash again.
 * Deciding whether code is stored must still read state: the cache may hold code of a block
 * that was executed but never committed.
 */
const CODE_CACHE_ENTRIES = 64
const codeCache = new LruMap<string, Uint8Array>(CODE_CACHE_ENTRIES)

export function hasCode(state: ContractState, codeHash: string): boolean {
  return state.get(codeKey(codeHash)) !== undefined
}

export function storeCode(state: ContractState, codeHash: string, instrumented: Uint8Array): void {
  if (!HASH_RE.test(codeHash)) throw new WichainError('INVALID_ARGUMENT', `bad code hash ${codeHash}`)
  state.set(codeKey(codeHash), instrumented)
}

export function loadCode(state: ContractState, codeHash: string): Uint8Array {
  const cached = codeCache.get(codeHash)
  if (cached !== undefined) return cached
  const code = state.get(codeKey(codeHash))
  if (code === undefined) throw new WichainError('CORRUPT_DATA', `contract code ${codeHash} is missing from state`)
  codeCache.set(codeHash, code)
  return code
}
