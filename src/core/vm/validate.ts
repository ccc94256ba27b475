/**
 * Deploy-time validation of contract code (spec §8.4.3): the bytes must be a WebAssembly module
 * that uses integers only, imports only the host API, defines one bounded memory exported as
 * `memory`, stays within size limits, and exports its methods as `() → void` functions.
 * Every refusal is a WichainError INVALID_WASM with a message that names the offending item.
 */
import {WichainError} from '../errors.js'
import {toHex} from '../bytes.js'
import {sm3} from '../crypto/sm3.js'
import {HOST_FUNCTIONS, HOST_MODULE, isHostFunctionName} from './host-api.js'
import {binaryen, typeName, type BinaryenModule, type WasmType} from './ir.js'
import {checkFunctionBodies} from './validate-body.js'
import {wasm} from './wasm.js'
import {moduleLimitsWith, RESERVED_PREFIX, type ModuleLimits} from './limits.js'

export interface ModuleInfo {
  /** Callable methods: exported `() → void` functions, sorted. */
  readonly methods: readonly string[]
  /** Host functions the module imports, sorted. */
  readonly imports: readonly string[]
  readonly memory: {readonly initialPages: number; readonly maximumPages: number | undefined}
  readonly functionCount: number
  readonly codeBytes: number
  /** SM3 of the code, hex. */
  readonly codeHash: string
}

function refuse(message: string, details?: Record<string, unknown>): never {
  throw new WichainError('INVALID_WASM', message, details)
}

function checkEnvelope(bytes: Uint8Array, limits: ModuleLimits): void {
  if (!(bytes instanceof Uint8Array)) refuse('contract code must be bytes')
  if (bytes.length > limits.codeBytesMax) {
    refuse(`contract code is ${bytes.length} bytes; the limit is ${limits.codeBytesMax}`, {size: bytes.length})
  }
  const magic = [0x00, 0x61, 0x73, 0x6d]
  if (bytes.length < 8 || magic.some((byte, index) => bytes[index] !== byte)) {
    refuse('not a WebAssembly module: the bytes do not start with the \\0asm header')
  }
  if (!wasm.validate(bytes)) refuse(`not a valid WebAssembly module: ${compileErrorOf(bytes)}`)
}

function compileErrorOf(bytes: Uint8Array): string {
  try {
    new wasm.Module(bytes)
    return 'refused by the WebAssembly validator'
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^WebAssembly\.Module\(\): /, '') : String(error)
  }
}

function readModule(bytes: Uint8Array): BinaryenModule {
  try {
    return binaryen.readBinary(bytes)
  } catch (error) {
    const message = (error as {message?: unknown})?.message
    return refuse(`WebAssembly module could not be read: ${typeof message === 'string' ? message : 'parse error'}`)
  }
}

function sameTypes(actual: WasmType, expected: readonly string[]): boolean {
  const types = actual === binaryen.none ? [] : binaryen.expandType(actual)
  const wanted = expected.map((name) => (name === 'i32' ? binaryen.i32 : binaryen.i64))
  return types.length === wanted.length && types.every((type, index) => type === wanted[index])
}

function checkImports(module: BinaryenModule): string[] {
  const imported: string[] = []
  for (let index = 0; index < module.getNumFunctions(); index++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(index))
    if (!info.module) continue
    const name = `${info.module}.${info.base}`
    if (info.module !== HOST_MODULE || info.base === null || !isHostFunctionName(info.base)) {
      refuse(`import ${name} is not part of the host API (allowed: ${HOST_MODULE}.{${Object.keys(HOST_FUNCTIONS).join(', ')}})`)
    }
    const expected = HOST_FUNCTIONS[info.base]
    if (!sameTypes(info.params, expected.params) || !sameTypes(info.results, expected.results)) {
      refuse(`import ${name} has the wrong signature; expected (${expected.params.join(', ')}) -> (${expected.results.join(', ')})`)
    }
    imported.push(info.base)
  }
  for (let index = 0; index < module.getNumGlobals(); index++) {
    const info = binaryen.getGlobalInfo(module.getGlobalByIndex(index))
    if (info.module) refuse(`global import ${info.module}.${info.base} is not allowed: contracts import host functions only`)
  }
  return [...new Set(imported)].sort()
}

function checkMemory(module: BinaryenModule, limits: ModuleLimits): ModuleInfo['memory'] {
  if (!module.hasMemory()) refuse('module defines no memory; contracts must export one memory named "memory"')
  const memory = module.getMemoryInfo()
  if (memory.module) refuse(`memory import ${memory.module}.${memory.base} is not allowed; define and export the memory`)
  if (memory.shared || memory.is64) refuse('memory must be 32-bit and unshared')
  if (memory.initial > limits.memoryPagesMax) {
    refuse(`initial memory is ${memory.initial} pages; the limit is ${limits.memoryPagesMax} pages (64 KiB each)`)
  }
  if (memory.max !== undefined && memory.max > limits.memoryPagesMax) {
    refuse(`maximum memory is ${memory.max} pages; the limit is ${limits.memoryPagesMax} pages (64 KiB each)`)
  }
  return {initialPages: memory.initial, maximumPages: memory.max}
}

function checkTablesAndCounts(module: BinaryenModule, limits: ModuleLimits): void {
  if (module.getNumTables() > 1) refuse('at most one table is allowed')
  if (module.getNumTables() === 1) {
    const table = binaryen.getTableInfo(module.getTableByIndex(0))
    if (table.module) refuse(`table import ${table.module}.${table.base} is not allowed`)
    if (table.initial > limits.tableSizeMax || (table.max ?? 0) > limits.tableSizeMax) {
      refuse(`table size ${Math.max(table.initial, table.max ?? 0)} exceeds the limit ${limits.tableSizeMax}`)
    }
  }
  if (module.getNumFunctions() > limits.functionsMax) {
    refuse(`module has ${module.getNumFunctions()} functions; the limit is ${limits.functionsMax}`)
  }
  if (module.getNumGlobals() > limits.globalsMax) {
    refuse(`module has ${module.getNumGlobals()} globals; the limit is ${limits.globalsMax}`)
  }
  if (module.getNumExports() > limits.exportsMax) {
    refuse(`module has ${module.getNumExports()} exports; the limit is ${limits.exportsMax}`)
  }
  for (let index = 0; index < module.getNumGlobals(); index++) {
    const info = binaryen.getGlobalInfo(module.getGlobalByIndex(index))
    if (info.type !== binaryen.i32 && info.type !== binaryen.i64) {
      refuse(`global ${info.name} has type ${typeName(info.type)}: only i32 and i64 are allowed (no floats)`)
    }
  }
}

function checkExports(module: BinaryenModule): string[] {
  const methods: string[] = []
  let memoryExported = false
  for (let index = 0; index < module.getNumExports(); index++) {
    const info = binaryen.getExportInfo(module.getExportByIndex(index))
    if (info.name.startsWith(RESERVED_PREFIX)) refuse(`export name ${info.name} uses the reserved prefix ${RESERVED_PREFIX}`)
    if (info.kind === binaryen.ExternalMemory) memoryExported ||= info.name === 'memory'
    if (info.kind !== binaryen.ExternalFunction) continue
    const target = binaryen.getFunctionInfo(module.getFunction(info.value))
    if (target.params !== binaryen.none || target.results !== binaryen.none) {
      refuse(`exported function ${info.name} must take no parameters and return nothing: methods read their arguments and return their result through the host API`)
    }
    methods.push(info.name)
  }
  if (!memoryExported) refuse('module must export its memory as "memory"')
  return methods.sort()
}

/** Validate contract code at deploy. Throws INVALID_WASM; returns what the chain records about it. */
export function validateModule(bytes: Uint8Array, limits?: Partial<ModuleLimits>): ModuleInfo {
  const effective = moduleLimitsWith(limits)
  checkEnvelope(bytes, effective)
  const module = readModule(bytes)
  try {
    const imports = checkImports(module)
    const memory = checkMemory(module, effective)
    checkTablesAndCounts(module, effective)
    const methods = checkExports(module)
    const failure = checkFunctionBodies(module, effective)
    if (failure !== undefined) refuse(failure)
    return Object.freeze({
      methods: Object.freeze(methods),
      imports: Object.freeze(imports),
      memory: Object.freeze(memory),
      functionCount: module.getNumFunctions(),
      codeBytes: bytes.length,
      codeHash: toHex(sm3(bytes)),
    })
  } finally {
    module.dispose()
  }
}
