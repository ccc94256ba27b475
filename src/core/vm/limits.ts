/**
 * Limits of the contract engine. Every node of a chain must use the same values: they decide
 * which modules deploy and where a call fails, so they are part of consensus.
 */

/** Checked once at deploy by `validateModule`. */
export interface ModuleLimits {
  /** Size of the uploaded module. */
  readonly codeBytesMax: number
  /** Linear memory, initial and maximum, in 64 KiB pages. */
  readonly memoryPagesMax: number
  readonly tableSizeMax: number
  readonly functionsMax: number
  readonly globalsMax: number
  /** Parameters plus locals of one function (bounds the native stack frame). */
  readonly localsPerFunctionMax: number
  readonly exportsMax: number
}

/** Checked on every call by the runtime and the host API. */
export interface CallLimits {
  readonly keyBytesMax: number
  readonly valueBytesMax: number
  readonly argsBytesMax: number
  readonly resultBytesMax: number
  /** Distinct keys written by one call. */
  readonly writesMax: number
  readonly eventsMax: number
  readonly eventNameBytesMax: number
  readonly eventDataBytesMax: number
  readonly logsMax: number
  readonly logBytesMax: number
  readonly hashInputBytesMax: number
  /** Characters of an abort message kept in the error (longer ones are cut). */
  readonly abortMessageCharsMax: number
  /** Contract-to-contract nesting; 0 is a call from a transaction. */
  readonly contractCallDepthMax: number
}

export const DEFAULT_MODULE_LIMITS: ModuleLimits = Object.freeze({
  codeBytesMax: 512 * 1024,
  memoryPagesMax: 16,
  tableSizeMax: 1024,
  functionsMax: 4096,
  globalsMax: 256,
  localsPerFunctionMax: 1024,
  exportsMax: 256,
})

export const DEFAULT_CALL_LIMITS: CallLimits = Object.freeze({
  keyBytesMax: 256,
  valueBytesMax: 64 * 1024,
  argsBytesMax: 64 * 1024,
  resultBytesMax: 64 * 1024,
  writesMax: 1024,
  eventsMax: 64,
  eventNameBytesMax: 64,
  eventDataBytesMax: 16 * 1024,
  logsMax: 64,
  logBytesMax: 4 * 1024,
  hashInputBytesMax: 64 * 1024,
  abortMessageCharsMax: 512,
  contractCallDepthMax: 8,
})

export const WASM_PAGE_BYTES = 64 * 1024

/** Exports and imports with this prefix belong to the engine; uploaded modules may not use it. */
export const RESERVED_PREFIX = '__wichain'

export function moduleLimitsWith(overrides: Partial<ModuleLimits> | undefined): ModuleLimits {
  return overrides === undefined ? DEFAULT_MODULE_LIMITS : Object.freeze({...DEFAULT_MODULE_LIMITS, ...overrides})
}

export function callLimitsWith(overrides: Partial<CallLimits> | undefined): CallLimits {
  return overrides === undefined ? DEFAULT_CALL_LIMITS : Object.freeze({...DEFAULT_CALL_LIMITS, ...overrides})
}
