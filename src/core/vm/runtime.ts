/**
 * Execute one method of a contract (spec §8.4.3): a fresh instance per call over code already
 * validated and instrumented at deploy. The outcome is a plain value: success with result,
 * buffered writes, events and logs, or failure with a code and message and no writes. gasUsed
 * depends only on code, method, args, context and state, so every node records the same.
 *
 * Failures caused by the contract or its input are results (`ok:false`); a failing StorageView
 * (a node fault) and programmer errors are thrown.
 */
import {toHex, utf8} from '../bytes.js'
import {sm3} from '../crypto/sm3.js'
import {LruMap} from '../crypto/lru.js'
import {WichainError, type ErrorCode} from '../errors.js'
import {DEPTH_EXPORT, GAS_SCHEDULE, START_EXPORT} from './schedule.js'
import {GAS_IMPORT} from './host-api.js'
import {HostSession, HostTrap, type CallContext, type ContractEvent} from './host.js'
import {callLimitsWith, RESERVED_PREFIX, type CallLimits} from './limits.js'
import {wasm, type WasmGlobal, type WasmInstance, type WasmMemory, type WasmModule} from './wasm.js'
import {StorageFault, type StorageView, type StorageWrite} from './write-buffer.js'

export type JsonValue = null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue}

export interface ExecuteRequest {
  /** Instrumented code (the output of instrumentGas). Must not be mutated after use: it is cached. */
  readonly code: Uint8Array
  readonly method: string
  /** Passed to the contract as JSON; defaults to {}. */
  readonly args?: JsonValue
  readonly context: CallContext
  readonly storage: StorageView
  readonly gasLimit: number
  /** 0 for a call from a transaction; contract-to-contract calls add one. */
  readonly callDepth?: number
  readonly limits?: Partial<CallLimits>
}

export interface ExecutionError {
  readonly code: ErrorCode
  readonly message: string
}

export interface ExecuteSuccess {
  readonly ok: true
  readonly result: JsonValue
  readonly gasUsed: number
  readonly writes: readonly StorageWrite[]
  readonly events: readonly ContractEvent[]
  readonly logs: readonly string[]
}

export interface ExecuteFailure {
  readonly ok: false
  readonly error: ExecutionError
  readonly gasUsed: number
  /** Log lines up to the failure, for debugging; never applied to state. */
  readonly logs: readonly string[]
}

export type ExecuteResult = ExecuteSuccess | ExecuteFailure

interface CompiledContract {
  readonly module: WasmModule
  readonly methods: ReadonlySet<string>
  readonly hasStart: boolean
}

const MODULE_CACHE_ENTRIES = 64
const byIdentity = new WeakMap<Uint8Array, CompiledContract>()
const byHash = new LruMap<string, CompiledContract>(MODULE_CACHE_ENTRIES)
const strictUtf8 = new TextDecoder('utf-8', {fatal: true})

/** V8's trap messages, mapped to fixed texts so receipts do not depend on the engine's wording. */
const TRAP_MESSAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/unreachable/i, 'unreachable executed'],
  [/memory access out of bounds/i, 'memory access out of bounds'],
  [/divide by zero/i, 'integer divide by zero'],
  [/remainder by zero/i, 'integer remainder by zero'],
  [/integer overflow/i, 'integer overflow'],
  [/table index is out of bounds|element segment out of bounds/i, 'table index out of bounds'],
  [/signature mismatch|null function/i, 'indirect call signature mismatch'],
]

function compile(code: Uint8Array): CompiledContract | ExecutionError {
  const known = byIdentity.get(code)
  if (known !== undefined) return known
  const hash = toHex(sm3(code))
  let compiled = byHash.get(hash)
  if (compiled === undefined) {
    let module: WasmModule
    try {
      module = new wasm.Module(code)
    } catch (error) {
      return {code: 'INVALID_WASM', message: `contract code does not compile: ${(error as Error).message}`}
    }
    const exports = wasm.Module.exports(module)
    const metered = wasm.Module.imports(module).some((i) => i.module === GAS_IMPORT.module && i.name === GAS_IMPORT.name)
    if (!metered || !exports.some((e) => e.name === DEPTH_EXPORT)) {
      return {code: 'INVALID_WASM', message: 'contract code is not instrumented for gas (instrumentGas runs at deploy)'}
    }
    const methods = exports.filter((e) => e.kind === 'function' && !e.name.startsWith(RESERVED_PREFIX)).map((e) => e.name)
    compiled = Object.freeze({module, methods: new Set(methods), hasStart: exports.some((e) => e.name === START_EXPORT)})
    byHash.set(hash, compiled)
  }
  byIdentity.set(code, compiled)
  return compiled
}

function checkRequest(request: ExecuteRequest): void {
  if (!Number.isSafeInteger(request.gasLimit) || request.gasLimit <= 0) {
    throw new WichainError('INVALID_ARGUMENT', `gas limit must be a positive safe integer, got ${request.gasLimit}`)
  }
  const depth = request.callDepth ?? 0
  if (!Number.isSafeInteger(depth) || depth < 0) throw new WichainError('INVALID_ARGUMENT', `bad call depth ${depth}`)
}

function encodeArgs(args: JsonValue | undefined): Uint8Array {
  try {
    return utf8(JSON.stringify(args === undefined ? {} : args))
  } catch (error) {
    throw new WichainError('INVALID_ARGUMENT', `contract arguments are not JSON: ${(error as Error).message}`)
  }
}

function decodeResult(bytes: Uint8Array | undefined): JsonValue {
  if (bytes === undefined) return null
  try {
    return JSON.parse(strictUtf8.decode(bytes)) as JsonValue
  } catch {
    throw new HostTrap('CONTRACT_TRAP', 'return_value: the result is not valid UTF-8 JSON')
  }
}

function gasUsed(gas: WasmGlobal, gasLimit: number): number {
  const left = gas.value as bigint
  return left <= 0n ? gasLimit : gasLimit - Number(left)
}

function classify(error: unknown, gas: WasmGlobal, instance: WasmInstance | undefined, gasLimit: number): ExecutionError {
  if (error instanceof HostTrap) return {code: error.code, message: error.message}
  if ((gas.value as bigint) < 0n) return {code: 'OUT_OF_GAS', message: `out of gas (limit ${gasLimit})`}
  const depth = instance?.exports[DEPTH_EXPORT] as WasmGlobal | undefined
  if (depth !== undefined && Number(depth.value) > GAS_SCHEDULE.stackSlotsMax) {
    return {code: 'CONTRACT_TRAP', message: 'call depth limit exceeded (recursion too deep)'}
  }
  if (error instanceof wasm.RuntimeError) {
    const known = TRAP_MESSAGES.find(([pattern]) => pattern.test(error.message))
    return {code: 'CONTRACT_TRAP', message: `wasm trap: ${known === undefined ? 'trap' : known[1]}`}
  }
  // A native stack overflow (no depth trap above) depends on the engine and on how deep the
  // node's own stack was: rethrown, so it is an execution fault (chain/faults.ts), never a receipt.
  if (error instanceof Error && error.name === 'LinkError') {
    return {code: 'INVALID_WASM', message: `contract code does not link (is it instrumented?): ${error.message}`}
  }
  throw error
}

function failure(error: ExecutionError, used: number, logs: readonly string[] = []): ExecuteFailure {
  return Object.freeze({ok: false, error: Object.freeze(error), gasUsed: used, logs: Object.freeze([...logs])})
}

function run(contract: CompiledContract, request: ExecuteRequest, args: Uint8Array, limits: CallLimits): ExecuteResult {
  const gas = new wasm.Global({value: 'i64', mutable: true}, BigInt(request.gasLimit))
  const session = new HostSession({context: request.context, storage: request.storage, limits, args, gas})
  let instance: WasmInstance | undefined
  try {
    instance = new wasm.Instance(contract.module, {env: session.imports(), [GAS_IMPORT.module]: {[GAS_IMPORT.name]: gas}})
    const memory = instance.exports.memory
    if (!(memory instanceof wasm.Memory)) throw new HostTrap('INVALID_WASM', 'contract does not export its memory')
    session.attach(memory as WasmMemory)
    if (contract.hasStart) (instance.exports[START_EXPORT] as () => void)()
    ;(instance.exports[request.method] as () => void)()
    const result = decodeResult(session.result)
    return Object.freeze({
      ok: true, result, gasUsed: gasUsed(gas, request.gasLimit), writes: session.buffer.writes(),
      events: Object.freeze([...session.events]), logs: Object.freeze([...session.logs]),
    })
  } catch (error) {
    if (error instanceof StorageFault) throw error
    return failure(classify(error, gas, instance, request.gasLimit), gasUsed(gas, request.gasLimit), session.logs)
  }
}

/** Run `method` of instrumented contract code. See ExecuteRequest for the inputs. */
export function executeContract(request: ExecuteRequest): ExecuteResult {
  checkRequest(request)
  const limits = callLimitsWith(request.limits)
  if ((request.callDepth ?? 0) > limits.contractCallDepthMax) {
    return failure({code: 'CONTRACT_TRAP', message: `contract call depth limit ${limits.contractCallDepthMax} exceeded`}, 0)
  }
  const args = encodeArgs(request.args)
  if (args.length > limits.argsBytesMax) {
    return failure({code: 'PAYLOAD_TOO_LARGE', message: `arguments are ${args.length} bytes; the limit is ${limits.argsBytesMax}`}, 0)
  }
  const contract = compile(request.code)
  if (!('module' in contract)) return failure(contract, 0)
  if (!contract.methods.has(request.method)) {
    return failure({code: 'UNKNOWN_CONTRACT', message: `contract ${request.context.contract} has no method ${JSON.stringify(request.method)}`}, 0)
  }
  return run(contract, request, args, limits)
}
