/**
 * Executes the txs of one block, deterministically, over a read-only view of the state before
 * the block. Writes go to a block overlay; each tx gets its own buffer on top, merged only when
 * the tx succeeds, so a failing tx changes nothing but still leaves a failed receipt.
 * Validity rules that make a whole block invalid (signature, chain id, expiry, replay, unknown
 * or disabled sender, args that are not strict JSON) are checked by `checkTxForBlock` before
 * execution; a sender disabled by an earlier tx of the same block gets a failed receipt
 * (ACCOUNT_DISABLED) here.
 *
 * Only deliberate failures (a WichainError such as CONTRACT_ERROR, CONTRACT_TRAP, OUT_OF_GAS,
 * UNAUTHORIZED, INVALID_ARGUMENT) become failed receipts. Anything else thrown while executing a
 * tx — a JS exception from host code, a stack overflow, an INTERNAL/STORAGE_ERROR/CORRUPT_DATA
 * error — may differ between nodes, so it leaves `executeBlock` as an ExecutionFault (faults.ts).
 *
 * A tx names a system contract (TypeScript, in `env.contracts`: contracts/system.ts registers
 * them, the `contracts` manager among them) or a user WASM contract deployed through the
 * manager; the latter runs in the VM with the chain's per-call gas limit, and its figures (calls, failures, gas) are updated in state.
 */
import {toHex, utf8} from '../bytes.js'
import {WichainError} from '../errors.js'
import {STATE_LIMITS, type StateWrite} from '../ledger/index.js'
import {createReceipt, RECEIPT_LIMITS, type Receipt} from '../types/receipt.js'
import {parseTxArgs, type Tx} from '../types/tx.js'
import type {JsonValue} from '../vm/runtime.js'
import {StorageFault} from '../vm/write-buffer.js'
import {ACCOUNTS_CONTRACT_NAME, readDisabledAccount} from './contracts/accounts.js'
import type {CallContext, ContractState, SystemContract} from './contracts/contract.js'
import {recordCall} from './contracts/figures.js'
import {isContractName, loadRecord, MANAGER_NAME, REGISTRY_LIMITS} from './contracts/registry.js'
import {callWasmContract, type WasmCallInput} from './contracts/wasm-call.js'
import {asExecutionFault, isExecutionFaultCause} from './faults.js'
import {DEFAULT_TX_GAS_MAX, type Genesis, type Role} from './genesis.js'
import {authorizeSystemCall, authorizeUserCall} from './consortium/enforce.js'
import {ConsortiumView} from './consortium/view.js'

export interface ExecutionEnvironment {
  readonly chainId: string
  readonly contracts: ReadonlyMap<string, SystemContract>
  /** Role of a registered account, by address; undefined when not registered. */
  roleOf(address: string): Role | undefined
  /** Committed state before this block (synchronous reads). */
  readState(key: Uint8Array): Uint8Array | undefined
  /** Gas limit of one user-contract call: the genesis `txGasMaxOf(params)`; DEFAULT_TX_GAS_MAX when absent. */
  readonly txGasMax?: number
  /**
   * A version 2 genesis: calls are authorised by policies over the consortium (orgs, accounts,
   * policies in state). Absent or version 1: each method's `roles` (the rules before organisations).
   */
  readonly genesis?: Genesis
}


/**
 * Share of the ledger's per-block state limits kept back for the figures the executor writes
 * after the txs' own writes (at most one key per user contract).
 */
const FIGURES_RESERVE = Object.freeze({writes: REGISTRY_LIMITS.contractsMax, bytes: 1024 * 1024})

export interface BlockExecution {
  readonly receipts: readonly Receipt[]
  /** Net writes of the block, sorted by key (hex order): what the ledger commits. */
  readonly writes: readonly StateWrite[]
  /** How many of the given txs were executed (fewer only when `gasMax` cut the block). */
  readonly included: number
  /** Gas of the included txs. */
  readonly gasUsed: number
}

export function stateKey(contract: string, key: string): Uint8Array {
  return utf8(`${contract}/${key}`)
}

class Overlay {
  readonly entries = new Map<string, Uint8Array | null>()
  constructor(private readonly parent: (keyHex: string) => Uint8Array | undefined) {}
  get(keyHex: string): Uint8Array | undefined {
    const value = this.entries.get(keyHex)
    if (value === null) return undefined
    return value ?? this.parent(keyHex)
  }
}

/**
 * Keeps a block's net writes inside the ledger's limits (STATE_LIMITS), which a block must not
 * exceed or it could never be committed. Bytes are summed over every merged write, an upper
 * bound of the net bytes, so the check is conservative and the same on every node.
 */
class BlockBudget {
  private bytes = 0
  constructor(private readonly overlay: Overlay) {}

  /** Merge a successful tx's writes; false (nothing merged) when they would not fit. */
  merge(entries: ReadonlyMap<string, Uint8Array | null>): boolean {
    let newKeys = 0
    let bytes = 0
    for (const [keyHex, value] of entries) {
      if (!this.overlay.entries.has(keyHex)) newKeys++
      bytes += keyHex.length / 2 + (value?.length ?? 0)
    }
    if (this.overlay.entries.size + newKeys > STATE_LIMITS.writesMax - FIGURES_RESERVE.writes) return false
    if (this.bytes + bytes > STATE_LIMITS.writeBytesMax - FIGURES_RESERVE.bytes) return false
    this.bytes += bytes
    for (const [keyHex, value] of entries) this.overlay.entries.set(keyHex, value)
    return true
  }
}

/**
 * Execute a block's txs in order. With `gasMax` (a proposer building a block), execution stops
 * before the first tx that would take the block's gas past it — that tx and the rest stay out
 * of the block (`included` says how many made it; at least one always does, as any single tx
 * fits: txGasMax <= blockGasMax). The result is exactly that of executing the included prefix.
 */
export function executeBlock(env: ExecutionEnvironment, txs: readonly Tx[], block: {height: number; timestamp: number}, options: {gasMax?: number} = {}): BlockExecution {
  let current: Tx | undefined
  try {
    const blockOverlay = new Overlay((keyHex) => env.readState(Buffer.from(keyHex, 'hex')))
    const budget = new BlockBudget(blockOverlay)
    const receipts: Receipt[] = []
    let gasUsed = 0
    for (const tx of txs) {
      current = tx
      const txOverlay = new Overlay((keyHex) => blockOverlay.get(keyHex))
      let receipt = executeTx(env, tx, block, txOverlay)
      if (options.gasMax !== undefined && receipts.length > 0 && gasUsed + receipt.gasUsed > options.gasMax) break
      gasUsed += receipt.gasUsed
      if (receipt.status === 'ok' && !budget.merge(txOverlay.entries)) {
        receipt = failedReceipt(tx, new WichainError('PAYLOAD_TOO_LARGE', 'this block has no room left for the state writes of this tx; send it again'), receipt.gasUsed)
      }
      if (systemContract(env, tx.body.contract) === undefined) recordFigures(blockOverlay, tx, receipt, block.height)
      receipts.push(receipt)
    }
    current = undefined
    // Frozen (array and entries): the state root over them is then computed once (ledger/state.ts).
    const writes = Object.freeze([...blockOverlay.entries.keys()].sort().map((keyHex) => Object.freeze({
      key: new Uint8Array(Buffer.from(keyHex, 'hex')),
      value: blockOverlay.entries.get(keyHex) ?? null,
    })))
    // Frozen: the receiptRoot is then computed once (block.ts) for assembly and commit.
    return {receipts: Object.freeze(receipts), writes, included: receipts.length, gasUsed}
  } catch (error) {
    // Anywhere in the block (a stack overflow around a receipt too): never an invalid block.
    throw asExecutionFault(error, current?.hashHex ?? '', block.height)
  }
}

function contractState(contract: string, overlay: Overlay): ContractState {
  const keyHex = (key: string): string => toHex(stateKey(contract, key))
  return {
    get: (key) => overlay.get(keyHex(key)),
    set: (key, value) => void overlay.entries.set(keyHex(key), value),
    delete: (key) => void overlay.entries.set(keyHex(key), null),
  }
}

/** Count a user-contract call in the contract's figures (calls to names never deployed are not counted). */
function recordFigures(overlay: Overlay, tx: Tx, receipt: Receipt, height: number): void {
  const registry = contractState(MANAGER_NAME, overlay)
  const name = tx.body.contract
  if (!isContractName(name) || loadRecord(registry, name) === undefined) return
  recordCall(registry, name, height, {ok: receipt.status === 'ok', gasUsed: receipt.gasUsed, error: receipt.error})
}

function systemContract(env: Pick<ExecutionEnvironment, 'contracts'>, name: string): SystemContract | undefined {
  return env.contracts.get(name)
}

function failedReceipt(tx: Tx, failure: WichainError | {code: string; message: string}, gasUsed: number): Receipt {
  return createReceipt({
    txHash: tx.hash,
    status: 'failed',
    result: 'null',
    error: {code: failure.code, message: receiptMessage(failure.message)},
    gasUsed,
    events: [],
  })
}

function wasmInput(env: ExecutionEnvironment, contract: string, method: string, args: unknown, context: Omit<WasmCallInput['context'], 'contract'>, mode: WasmCallInput['mode']): WasmCallInput {
  return {method, args: args as JsonValue, context: {...context, contract}, gasLimit: env.txGasMax ?? DEFAULT_TX_GAS_MAX, mode}
}

/** A tx to a user contract: its writes go to the tx overlay only when the call succeeds. */
function executeWasmTx(env: ExecutionEnvironment, tx: Tx, block: {height: number; timestamp: number}, overlay: Overlay): Receipt {
  const state = {get: (key: Uint8Array) => overlay.get(toHex(key))}
  const context = {caller: tx.senderAddress, txHash: tx.hashHex, blockHeight: block.height, blockTime: block.timestamp}
  const input = wasmInput(env, tx.body.contract, tx.body.method, parseTxArgs(tx.body.args), context, 'tx')
  const outcome = callWasmContract(contractState(MANAGER_NAME, overlay), state, input)
  if (!outcome.ok) return failedReceipt(tx, outcome.error, outcome.gasUsed)
  for (const write of outcome.writes) overlay.entries.set(toHex(write.key), write.value)
  return createReceipt({txHash: tx.hash, status: 'ok', result: outcome.result, error: null, gasUsed: outcome.gasUsed, events: outcome.events})
}

function executeTx(env: ExecutionEnvironment, tx: Tx, block: {height: number; timestamp: number}, overlay: Overlay): Receipt {
  const consortium = env.genesis?.version === 2
    ? new ConsortiumView(env.genesis, (contract, key) => overlay.get(toHex(stateKey(contract, key))))
    : undefined
  const base: CallContext = {
    chainId: env.chainId,
    height: block.height,
    blockTime: block.timestamp,
    txHash: tx.hashHex,
    sender: {address: tx.senderAddress, publicKey: toHex(tx.body.sender), role: env.roleOf(tx.senderAddress)},
  }
  const context: CallContext = consortium === undefined ? base : {...base, consortium, invoke: (contract, method, args) => invoke(env, overlay, context, contract, method, args)}
  try {
    // Admission refuses a disabled sender's txs; this catches one disabled earlier in the same block.
    const disabled = readDisabledAccount(contractState(ACCOUNTS_CONTRACT_NAME, overlay), tx.senderAddress)
    if (disabled !== undefined) throw new WichainError('ACCOUNT_DISABLED', `account ${tx.senderAddress} was disabled at height ${disabled.height}`)
    if (systemContract(env, tx.body.contract) === undefined) {
      if (consortium !== undefined) authorizeUserCall(consortium, tx.body.contract, tx.body.method, tx.senderAddress)
      return executeWasmTx(env, tx, block, overlay)
    }
    const method = resolveMethod(env, tx.body.contract, tx.body.method)
    const args = parseTxArgs(tx.body.args)
    if (consortium !== undefined) authorizeSystemCall(consortium, tx.body.contract, tx.body.method, method, args, context)
    else if (method.roles !== undefined && (context.sender.role === undefined || !method.roles.includes(context.sender.role))) {
      throw new WichainError('UNAUTHORIZED', `${tx.body.contract}.${tx.body.method} needs role ${method.roles.join('|')}; sender has ${context.sender.role ?? 'none'}`)
    }
    const result = method.run(contractState(tx.body.contract, overlay), args, context)
    const resultJson = JSON.stringify(result ?? null)
    if (Buffer.byteLength(resultJson) > RECEIPT_LIMITS.resultBytesMax) throw new WichainError('PAYLOAD_TOO_LARGE', 'result too large')
    return createReceipt({txHash: tx.hash, status: 'ok', result: resultJson, error: null, gasUsed: 0, events: []})
  } catch (error) {
    // A state read that failed is this node's fault, not the tx's: no receipt may record it. Nor
    // may an engine-dependent or internal error (a stack overflow, a bug in host code).
    if (error instanceof StorageFault || isExecutionFaultCause(error)) throw asExecutionFault(error, tx.hashHex, block.height)
    overlay.entries.clear()
    return failedReceipt(tx, error as WichainError, 0)
  }
}

/** Governance runs the action a proposal approved: another system method, on that contract's state. */
function invoke(env: ExecutionEnvironment, overlay: Overlay, context: CallContext, contract: string, methodName: string, args: unknown): unknown {
  const method = resolveMethod(env, contract, methodName)
  if (method.readOnly || method.selfAuthorizing === true) throw new WichainError('INVALID_ARGUMENT', `${contract}.${methodName} cannot be a proposal's action`)
  // All or nothing: an action that throws after writing leaves none of its writes (governance
  // records the failure and goes on).
  const nested = new Overlay((keyHex) => overlay.get(keyHex))
  const nestedContext: CallContext = {
    ...context,
    consortium: new ConsortiumView(env.genesis!, (name, key) => nested.get(toHex(stateKey(name, key)))),
    invoke: (next, nextMethod, nextArgs) => invoke(env, nested, nestedContext, next, nextMethod, nextArgs),
  }
  const result = method.run(contractState(contract, nested), args, nestedContext)
  for (const [keyHex, value] of nested.entries) overlay.entries.set(keyHex, value)
  return result
}

/**
 * Receipts must encode canonically, which refuses lone surrogates: cut the message to the limit
 * and replace any lone surrogate (user input such as an evidence key can carry one, and the cut
 * can split a pair) with U+FFFD, the same way on every node.
 */
function receiptMessage(message: string): string {
  const cut = message.slice(0, RECEIPT_LIMITS.messageLengthMax)
  // Node 20 has String.prototype.toWellFormed; the ES2023 lib typings do not declare it yet.
  return (cut as unknown as {toWellFormed(): string}).toWellFormed()
}

export function resolveMethod(env: Pick<ExecutionEnvironment, 'contracts'>, contractName: string, methodName: string) {
  const contract = systemContract(env, contractName)
  if (contract === undefined) throw new WichainError('UNKNOWN_CONTRACT', `no contract "${contractName}"`)
  const method = Object.hasOwn(contract.methods, methodName) ? contract.methods[methodName] : undefined
  if (method === undefined) throw new WichainError('UNKNOWN_CONTRACT', `contract "${contractName}" has no method "${methodName}"`)
  return method
}

/**
 * Read-only call against committed state. A user contract runs in the VM with its writes
 * discarded; a frozen or destroyed one can still be queried (its state stays readable). The
 * context has no caller or tx; `blockTime` is the head block's time when the caller gives it.
 */
export function query(env: ExecutionEnvironment, contractName: string, methodName: string, args: unknown, height: number, blockTime = 0): unknown {
  const overlay = new Overlay((keyHex) => env.readState(Buffer.from(keyHex, 'hex')))
  if (systemContract(env, contractName) === undefined) {
    const context = {caller: '', txHash: '', blockHeight: height, blockTime}
    const state = {get: (key: Uint8Array) => overlay.get(toHex(key))}
    const outcome = callWasmContract(contractState(MANAGER_NAME, overlay), state, wasmInput(env, contractName, methodName, args, context, 'query'))
    if (!outcome.ok) throw new WichainError(outcome.error.code, outcome.error.message, {gasUsed: outcome.gasUsed})
    return JSON.parse(outcome.result) as unknown
  }
  const method = resolveMethod(env, contractName, methodName)
  if (!method.readOnly) throw new WichainError('INVALID_ARGUMENT', `${contractName}.${methodName} writes state; send a tx instead`)
  const context: CallContext = {chainId: env.chainId, height, blockTime, txHash: '', sender: {address: '', publicKey: '', role: undefined}}
  const consortium = env.genesis?.version === 2 ? new ConsortiumView(env.genesis, (contract, key) => overlay.get(toHex(stateKey(contract, key)))) : undefined
  return method.run(contractState(contractName, overlay), args, consortium === undefined ? context : {...context, consortium})
}
