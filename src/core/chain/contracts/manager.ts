/**
 * `contracts`: the lifecycle of user WASM contracts (spec §8.4.3) as a system contract, so every
 * step is a tx with a receipt: deploy → upgrade (new code, same state, version+1) → freeze /
 * unfreeze → destroy (permanent: calls refused, state still readable). Code is validated and
 * gas-instrumented here, at deploy, once; the instrumented bytes are stored under the SM3 hash of
 * the uploaded code, so every node derives and stores the same bytes.
 * Roles for now: devops deploys and upgrades; org admins freeze, unfreeze and destroy (policies
 * that need several approvals come with governance).
 */
import {WichainError} from '../../errors.js'
import {instrumentGas} from '../../vm/gas.js'
import {validateModule, type ModuleInfo} from '../../vm/validate.js'
import {argsObject, type Args} from './args.js'
import type {CallContext, ContractState, SystemContract} from './contract.js'
import {loadFigures} from './figures.js'
import {
  addName, checkCallable, hasCode, isContractName, listNames, loadRecord, MANAGER_NAME, REGISTRY_LIMITS,
  requireRecord, RESERVED_NAMES, storeCode, storeRecord, type ContractRecord, type ContractStatus,
} from './registry.js'

const HEX_RE = /^(0x)?([0-9a-fA-F]{2})+$/
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/
export const LIST_PAGE_MAX = 256

function readName(args: Args): string {
  const name = args.name
  if (!isContractName(name)) {
    throw new WichainError('INVALID_ARGUMENT', `contracts: name must be 1..${REGISTRY_LIMITS.nameLengthMax} characters of [A-Za-z0-9_.-], starting with a letter or _`)
  }
  return name
}

function readVersionTag(args: Args): string {
  const tag = args.version ?? ''
  if (typeof tag !== 'string' || tag.length > REGISTRY_LIMITS.versionTagLengthMax || !/^[\x20-\x7e]*$/.test(tag)) {
    throw new WichainError('INVALID_ARGUMENT', `contracts: version must be a label of at most ${REGISTRY_LIMITS.versionTagLengthMax} printable ASCII characters (e.g. "1.2.0")`)
  }
  return tag
}

/** The uploaded module: hex (with or without 0x) or base64. A WASM module in base64 starts "AGFzbQ", never hex. */
export function decodeCode(value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length === 0) throw new WichainError('INVALID_ARGUMENT', 'contracts: code must be the WASM module as hex or base64 text')
  if (HEX_RE.test(value)) return new Uint8Array(Buffer.from(value.replace(/^0x/, ''), 'hex'))
  if (BASE64_RE.test(value) && value.length % 4 === 0) return new Uint8Array(Buffer.from(value, 'base64'))
  throw new WichainError('INVALID_WASM', 'contracts: code is neither hex nor base64 text')
}

interface PreparedCode {
  readonly info: ModuleInfo
  readonly instrumented: Uint8Array
}

const ENGINE_REFUSAL = 'not a valid WebAssembly module'

/**
 * validateModule, with the one message that quotes the JavaScript engine's own wording (which
 * may differ between Node versions) replaced by a fixed text: receipts must match on every node.
 */
function validate(code: Uint8Array): ModuleInfo {
  try {
    return validateModule(code)
  } catch (error) {
    if (error instanceof WichainError && error.code === 'INVALID_WASM' && error.message.startsWith(ENGINE_REFUSAL)) {
      throw new WichainError('INVALID_WASM', `${ENGINE_REFUSAL}: the WebAssembly validator refused its bytes (not compiler output, or damaged)`)
    }
    throw error
  }
}

/** Validate (INVALID_WASM with the reason) and instrument; deterministic on every node. */
function prepareCode(args: Args): PreparedCode {
  const code = decodeCode(args.code)
  const info = validate(code)
  if (info.methods.length > REGISTRY_LIMITS.methodsMax || info.methods.some((method) => method.length > REGISTRY_LIMITS.methodNameLengthMax)) {
    throw new WichainError('INVALID_WASM', `contract exports more than ${REGISTRY_LIMITS.methodsMax} methods or a method name longer than ${REGISTRY_LIMITS.methodNameLengthMax} characters`)
  }
  if (info.methods.length === 0) throw new WichainError('INVALID_WASM', 'contract exports no methods: a method is an exported () -> void function')
  return {info, instrumented: instrumentGas(code)}
}

function summary(record: ContractRecord, prepared: PreparedCode) {
  return {
    name: record.name, version: record.version, versionTag: record.versionTag, codeHash: record.codeHash, codeBytes: record.codeBytes,
    instrumentedBytes: prepared.instrumented.length, methods: record.methods, status: record.status,
  }
}

function saveCode(state: ContractState, prepared: PreparedCode): void {
  if (!hasCode(state, prepared.info.codeHash)) storeCode(state, prepared.info.codeHash, prepared.instrumented)
}

function deploy(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(MANAGER_NAME, rawArgs, ['name', 'code', 'version'])
  const name = readName(args)
  const versionTag = readVersionTag(args)
  if (RESERVED_NAMES.has(name)) throw new WichainError('INVALID_ARGUMENT', `contracts: "${name}" is reserved for a system contract`)
  const existing = loadRecord(state, name)
  if (existing !== undefined) {
    throw new WichainError('ALREADY_EXISTS', `contracts: "${name}" is already deployed (version ${existing.version}, ${existing.status}); use upgrade`)
  }
  const prepared = prepareCode(args)
  const record: ContractRecord = {
    name, version: 1, versionTag, codeHash: prepared.info.codeHash, codeBytes: prepared.info.codeBytes, methods: prepared.info.methods,
    status: 'active', deployer: context.sender.address, height: context.height, updatedHeight: context.height, updatedTx: context.txHash,
  }
  addName(state, name)
  saveCode(state, prepared)
  storeRecord(state, record)
  return summary(record, prepared)
}

function upgrade(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(MANAGER_NAME, rawArgs, ['name', 'code', 'version'])
  const current = requireRecord(state, readName(args))
  const versionTag = readVersionTag(args)
  if (current.status === 'destroyed') checkCallable(current)
  const prepared = prepareCode(args)
  if (prepared.info.codeHash === current.codeHash) {
    throw new WichainError('INVALID_ARGUMENT', `contracts: "${current.name}" already runs this code (${current.codeHash})`)
  }
  const record: ContractRecord = {
    ...current, version: current.version + 1, versionTag, codeHash: prepared.info.codeHash, codeBytes: prepared.info.codeBytes,
    methods: prepared.info.methods, updatedHeight: context.height, updatedTx: context.txHash,
  }
  saveCode(state, prepared)
  storeRecord(state, record)
  return {...summary(record, prepared), previousCodeHash: current.codeHash}
}

function refuseTransition(current: ContractRecord, to: ContractStatus): never {
  const name = `contracts: "${current.name}"`
  if (current.status === 'destroyed') {
    throw new WichainError('CONTRACT_DESTROYED', `${name} was destroyed at height ${current.updatedHeight}; destroy is permanent`)
  }
  if (current.status === 'frozen') throw new WichainError('CONTRACT_FROZEN', `${name} is already frozen (since height ${current.updatedHeight})`)
  throw new WichainError('INVALID_ARGUMENT', `${name} is ${current.status}, so it cannot become ${to}`)
}

/** freeze / unfreeze / destroy: a status change allowed only from the listed statuses. */
function transition(to: ContractStatus, from: readonly ContractStatus[]) {
  return (state: ContractState, rawArgs: unknown, context: CallContext) => {
    const current = requireRecord(state, readName(argsObject(MANAGER_NAME, rawArgs, ['name'])))
    if (!from.includes(current.status)) refuseTransition(current, to)
    const record: ContractRecord = {...current, status: to, updatedHeight: context.height, updatedTx: context.txHash}
    storeRecord(state, record)
    return {name: record.name, version: record.version, status: record.status, previousStatus: current.status}
  }
}

function status(state: ContractState, rawArgs: unknown) {
  const record = requireRecord(state, readName(argsObject(MANAGER_NAME, rawArgs, ['name'])))
  return {...record, figures: loadFigures(state, record.name)}
}

function list(state: ContractState, rawArgs: unknown) {
  const args = argsObject(MANAGER_NAME, rawArgs ?? {}, ['after', 'limit'])
  const limit = args.limit ?? LIST_PAGE_MAX
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > LIST_PAGE_MAX) {
    throw new WichainError('INVALID_ARGUMENT', `contracts: limit must be an integer in 1..${LIST_PAGE_MAX}`)
  }
  const after = args.after ?? ''
  if (typeof after !== 'string') throw new WichainError('INVALID_ARGUMENT', 'contracts: after must be a contract name')
  const names = listNames(state).filter((name) => name > after)
  const page = names.slice(0, limit).map((name) => {
    const record = loadRecord(state, name)!
    const figures = loadFigures(state, name)
    return {name, version: record.version, status: record.status, codeHash: record.codeHash, calls: figures.calls, failures: figures.failures, gasUsed: figures.gasUsed}
  })
  return {contracts: page, next: names.length > limit ? page[page.length - 1]!.name : null}
}

export const contractManager: SystemContract = {
  name: MANAGER_NAME,
  description: 'user WASM contracts: deploy, upgrade, freeze, unfreeze, destroy, status, list',
  methods: {
    deploy: {readOnly: false, roles: ['devops'], run: deploy},
    upgrade: {readOnly: false, roles: ['devops'], run: upgrade},
    freeze: {readOnly: false, roles: ['orgadmin'], run: transition('frozen', ['active'])},
    unfreeze: {readOnly: false, roles: ['orgadmin'], run: transition('active', ['frozen'])},
    destroy: {readOnly: false, roles: ['orgadmin'], run: transition('destroyed', ['active', 'frozen'])},
    status: {readOnly: true, run: status},
    list: {readOnly: true, run: list},
  },
}

