/**
 * The host API a contract may import, all from module `env`: the one list the validator checks
 * imports against and the host implements. Variable-size outputs go through a register: the call
 * returns the length and `register_read(ptr)` copies the bytes into linear memory.
 */

export type WasmValueType = 'i32' | 'i64'

export interface HostFunctionSignature {
  readonly params: readonly WasmValueType[]
  readonly results: readonly WasmValueType[]
}

export const HOST_MODULE = 'env'

/** Module and name of the gas counter the instrumented code imports (never allowed in uploads). */
export const GAS_IMPORT = Object.freeze({module: '__wichain', name: 'gas'})

function signature(params: WasmValueType[], results: WasmValueType[] = []): HostFunctionSignature {
  return Object.freeze({params: Object.freeze(params), results: Object.freeze(results)})
}

export const HOST_FUNCTIONS = Object.freeze({
  /** AssemblyScript's abort(message, file, line, column): strings are AS string pointers. */
  abort: signature(['i32', 'i32', 'i32', 'i32']),
  /** Copy the register to memory at ptr. */
  register_read: signature(['i32']),
  /** Arguments as UTF-8 JSON into the register; returns the length. */
  args: signature([], ['i32']),
  /** Caller address (hex text) into the register; returns the length. */
  caller: signature([], ['i32']),
  tx_hash: signature([], ['i32']),
  contract_name: signature([], ['i32']),
  block_height: signature([], ['i64']),
  /** Block time in ms since the epoch. */
  block_time: signature([], ['i64']),
  gas_left: signature([], ['i64']),
  /** (keyPtr, keyLen) → value length into the register, or -1 when absent. */
  storage_get: signature(['i32', 'i32'], ['i32']),
  /** (keyPtr, keyLen, valuePtr, valueLen). */
  storage_set: signature(['i32', 'i32', 'i32', 'i32']),
  storage_delete: signature(['i32', 'i32']),
  /** (namePtr, nameLen, dataPtr, dataLen): UTF-8 name and data. */
  emit: signature(['i32', 'i32', 'i32', 'i32']),
  /** (ptr, len): UTF-8 text, for debugging; kept in the result, not in state. */
  log: signature(['i32', 'i32']),
  /** (dataPtr, dataLen, outPtr): writes the 32-byte SM3 digest at outPtr. */
  sm3: signature(['i32', 'i32', 'i32']),
  /** (ptr, len): UTF-8 JSON result of the call; the last call wins. */
  return_value: signature(['i32', 'i32']),
} satisfies Record<string, HostFunctionSignature>)

export type HostFunctionName = keyof typeof HOST_FUNCTIONS

export function isHostFunctionName(name: string): name is HostFunctionName {
  return Object.hasOwn(HOST_FUNCTIONS, name)
}
