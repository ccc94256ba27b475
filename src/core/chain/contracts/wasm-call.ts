/**
 * One call of a user WASM contract on behalf of the executor: find the record, refuse a frozen
 * or destroyed contract (for txs), run the instrumented code over the contract's own state
 * namespace, and turn the outcome into receipt parts. Writes are handed to the caller only on
 * success; a trap, abort or out-of-gas returns a failure with the gas burnt and no writes.
 * Output nested deeper than CONTRACT_OUTPUT_DEPTH_MAX (result, event data) is a CONTRACT_TRAP,
 * decided without recursion, so a contract cannot make host code overflow the JS stack.
 */
import {concatBytes, utf8} from '../../bytes.js'
import {jsonDepthWithin, jsonTextDepth} from '../../codec/json-depth.js'
import {WichainError, type ErrorCode} from '../../errors.js'
import {CONTRACT_OUTPUT_DEPTH_MAX} from '../../limits.js'
import {RECEIPT_LIMITS, type ReceiptEvent} from '../../types/receipt.js'
import type {CallContext as VmContext} from '../../vm/host.js'
import {executeContract, type JsonValue} from '../../vm/runtime.js'
import type {StorageWrite} from '../../vm/write-buffer.js'
import type {ContractState} from './contract.js'
import {checkCallable, loadCode, requireRecord} from './registry.js'

/** Raw state as the executor's overlay shows it (reads see earlier txs of the block). */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined
}

export interface WasmCallInput {
  readonly method: string
  readonly args: JsonValue
  readonly context: VmContext
  readonly gasLimit: number
  /** A tx must find the contract active; a query may read a frozen or destroyed one. */
  readonly mode: 'tx' | 'query'
}

export interface WasmCallSuccess {
  readonly ok: true
  /** JSON text of the result. */
  readonly result: string
  readonly gasUsed: number
  /** Full state keys (contract namespace applied), sorted; value null deletes. */
  readonly writes: readonly StorageWrite[]
  readonly events: readonly ReceiptEvent[]
}

export interface WasmCallFailure {
  readonly ok: false
  readonly error: {readonly code: ErrorCode; readonly message: string}
  readonly gasUsed: number
}

export type WasmCallResult = WasmCallSuccess | WasmCallFailure

/**
 * State key of a user contract's own key. `@` cannot start a contract name, so no system
 * contract's namespace (`<name>/…`, executor.stateKey) can ever overlap a user contract's.
 */
export function userStateKey(contract: string, key: Uint8Array): Uint8Array {
  return concatBytes(utf8(`@${contract}/`), key)
}

/** Receipt events carry JSON text; contract data that is not JSON is kept as a JSON string. */
function receiptEvents(events: readonly {name: string; data: string}[]): ReceiptEvent[] {
  return events.map((event) => {
    let data = event.data
    try {
      JSON.parse(data)
    } catch {
      data = JSON.stringify(data)
    }
    if (jsonTextDepth(data) > CONTRACT_OUTPUT_DEPTH_MAX) {
      throw new WichainError('CONTRACT_TRAP', `event ${event.name}: data nests deeper than ${CONTRACT_OUTPUT_DEPTH_MAX} levels (CONTRACT_OUTPUT_DEPTH_MAX)`)
    }
    if (data.length > RECEIPT_LIMITS.resultBytesMax) {
      throw new WichainError('PAYLOAD_TOO_LARGE', `event ${event.name}: data is too large for a receipt once quoted as JSON`)
    }
    return {name: event.name, data}
  })
}

function resultText(result: JsonValue): string {
  // Checked without recursion first: JSON.stringify of a deep value would exhaust the stack.
  if (!jsonDepthWithin(result, CONTRACT_OUTPUT_DEPTH_MAX)) {
    throw new WichainError('CONTRACT_TRAP', `result nests deeper than ${CONTRACT_OUTPUT_DEPTH_MAX} levels (CONTRACT_OUTPUT_DEPTH_MAX)`)
  }
  const text = JSON.stringify(result)
  if (Buffer.byteLength(text) > RECEIPT_LIMITS.resultBytesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `result is larger than ${RECEIPT_LIMITS.resultBytesMax} bytes`)
  }
  return text
}

/**
 * Call `input.method` of the user contract `input.context.contract`. Throws UNKNOWN_CONTRACT,
 * CONTRACT_FROZEN or CONTRACT_DESTROYED before any gas is spent; every other failure is returned.
 */
export function callWasmContract(registry: ContractState, state: StateReader, input: WasmCallInput): WasmCallResult {
  const name = input.context.contract
  const record = requireRecord(registry, name)
  if (input.mode === 'tx') checkCallable(record)
  const outcome = executeContract({
    code: loadCode(registry, record.codeHash),
    method: input.method,
    args: input.args,
    context: input.context,
    storage: {get: (key) => state.get(userStateKey(name, key))},
    gasLimit: input.gasLimit,
  })
  if (!outcome.ok) return {ok: false, error: {code: outcome.error.code, message: outcome.error.message}, gasUsed: outcome.gasUsed}
  try {
    return {
      ok: true,
      result: resultText(outcome.result),
      gasUsed: outcome.gasUsed,
      writes: outcome.writes.map((write) => ({key: userStateKey(name, write.key), value: write.value})),
      events: receiptEvents(outcome.events),
    }
  } catch (error) {
    if (!(error instanceof WichainError)) throw error
    const failure = error
    return {ok: false, error: {code: failure.code, message: failure.message}, gasUsed: outcome.gasUsed}
  }
}
