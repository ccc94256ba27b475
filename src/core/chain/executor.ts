/**
 * Executes the txs of one block, deterministically, over a read-only view of the state before
 * the block. Writes go to a block overlay; each tx gets its own buffer on top, merged only when
 * the tx succeeds, so a failing tx changes nothing but still leaves a failed receipt.
 * Validity rules that make a whole block invalid (signature, chain id, expiry, replay, unknown
 * sender) are checked by `checkTxForBlock` before execution.
 */
import {toHex, utf8} from '../bytes.js'
import {toWichainError, WichainError} from '../errors.js'
import type {StateWrite} from '../ledger/index.js'
import {createReceipt, RECEIPT_LIMITS, type Receipt} from '../types/receipt.js'
import type {Tx} from '../types/tx.js'
import type {CallContext, ContractState, SystemContract} from './contracts/contract.js'
import type {Role} from './genesis.js'

export interface ExecutionEnvironment {
  readonly chainId: string
  readonly contracts: ReadonlyMap<string, SystemContract>
  /** Role of a registered account, by address; undefined when not registered. */
  roleOf(address: string): Role | undefined
  /** Committed state before this block (synchronous reads). */
  readState(key: Uint8Array): Uint8Array | undefined
}

export interface BlockExecution {
  readonly receipts: readonly Receipt[]
  /** Net writes of the block, sorted by key (hex order): what the ledger commits. */
  readonly writes: readonly StateWrite[]
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

export function executeBlock(env: ExecutionEnvironment, txs: readonly Tx[], block: {height: number; timestamp: number}): BlockExecution {
  const blockOverlay = new Overlay((keyHex) => env.readState(Buffer.from(keyHex, 'hex')))
  const receipts = txs.map((tx) => {
    const txOverlay = new Overlay((keyHex) => blockOverlay.get(keyHex))
    const receipt = executeTx(env, tx, block, txOverlay)
    if (receipt.status === 'ok') for (const [key, value] of txOverlay.entries) blockOverlay.entries.set(key, value)
    return receipt
  })
  const writes = [...blockOverlay.entries.keys()].sort().map((keyHex) => ({
    key: new Uint8Array(Buffer.from(keyHex, 'hex')),
    value: blockOverlay.entries.get(keyHex) ?? null,
  }))
  return {receipts, writes}
}

function contractState(contract: string, overlay: Overlay): ContractState {
  const keyHex = (key: string): string => toHex(stateKey(contract, key))
  return {
    get: (key) => overlay.get(keyHex(key)),
    set: (key, value) => void overlay.entries.set(keyHex(key), value),
    delete: (key) => void overlay.entries.set(keyHex(key), null),
  }
}

function executeTx(env: ExecutionEnvironment, tx: Tx, block: {height: number; timestamp: number}, overlay: Overlay): Receipt {
  const context: CallContext = {
    chainId: env.chainId,
    height: block.height,
    blockTime: block.timestamp,
    txHash: tx.hashHex,
    sender: {address: tx.senderAddress, publicKey: toHex(tx.body.sender), role: env.roleOf(tx.senderAddress)},
  }
  try {
    const method = resolveMethod(env, tx.body.contract, tx.body.method)
    if (method.roles !== undefined && (context.sender.role === undefined || !method.roles.includes(context.sender.role))) {
      throw new WichainError('UNAUTHORIZED', `${tx.body.contract}.${tx.body.method} needs role ${method.roles.join('|')}; sender has ${context.sender.role ?? 'none'}`)
    }
    const result = method.run(contractState(tx.body.contract, overlay), JSON.parse(tx.body.args) as unknown, context)
    const resultJson = JSON.stringify(result ?? null)
    if (Buffer.byteLength(resultJson) > RECEIPT_LIMITS.resultBytesMax) throw new WichainError('PAYLOAD_TOO_LARGE', 'result too large')
    return createReceipt({txHash: tx.hash, status: 'ok', result: resultJson, error: null, gasUsed: 0, events: []})
  } catch (error) {
    overlay.entries.clear()
    const failure = toWichainError(error)
    return createReceipt({
      txHash: tx.hash,
      status: 'failed',
      result: 'null',
      error: {code: failure.code, message: receiptMessage(failure.message)},
      gasUsed: 0,
      events: [],
    })
  }
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
  const contract = env.contracts.get(contractName)
  if (contract === undefined) throw new WichainError('UNKNOWN_CONTRACT', `no contract "${contractName}"`)
  const method = Object.hasOwn(contract.methods, methodName) ? contract.methods[methodName] : undefined
  if (method === undefined) throw new WichainError('UNKNOWN_CONTRACT', `contract "${contractName}" has no method "${methodName}"`)
  return method
}

/** Read-only call against committed state. */
export function query(env: ExecutionEnvironment, contractName: string, methodName: string, args: unknown, height: number): unknown {
  const method = resolveMethod(env, contractName, methodName)
  if (!method.readOnly) throw new WichainError('INVALID_ARGUMENT', `${contractName}.${methodName} writes state; send a tx instead`)
  const overlay = new Overlay((keyHex) => env.readState(Buffer.from(keyHex, 'hex')))
  const context: CallContext = {chainId: env.chainId, height, blockTime: 0, txHash: '', sender: {address: '', publicKey: '', role: undefined}}
  return method.run(contractState(contractName, overlay), args, context)
}
