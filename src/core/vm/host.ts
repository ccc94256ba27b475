/**
 * The host side of one contract call: the `env` functions a contract imports (see host-api.ts).
 * Every function charges gas first, then checks each pointer/length against linear memory and
 * the size limits, and fails with a HostTrap (a clear code and message) instead of crashing.
 */
import {utf8} from '../bytes.js'
import {sm3} from '../crypto/sm3.js'
import type {ErrorCode} from '../errors.js'
import type {HostFunctionName} from './host-api.js'
import type {CallLimits} from './limits.js'
import type {WasmGlobal, WasmMemory} from './wasm.js'
import {WriteBuffer, type StorageView} from './write-buffer.js'

/** Part of consensus, like GAS_SCHEDULE. */
export const HOST_GAS = Object.freeze({
  call: 50,
  perByte: 1,
  storageRead: 800,
  storageWrite: 2000,
  storageWritePerByte: 4,
  storageDelete: 1000,
  emit: 500,
  log: 100,
  sm3: 200,
})

export interface CallContext {
  /** Address of the caller, hex. */
  readonly caller: string
  readonly txHash: string
  readonly blockHeight: number
  /** Block time in ms since the epoch (agreed by consensus). */
  readonly blockTime: number
  /** Name of the contract being called. */
  readonly contract: string
}

export interface ContractEvent {
  readonly name: string
  /** UTF-8 text, by SDK convention JSON. */
  readonly data: string
}

/** A contract-caused failure raised inside a host function. */
export class HostTrap extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message)
    this.name = 'HostTrap'
  }
}

export interface HostSessionOptions {
  readonly context: CallContext
  readonly storage: StorageView
  readonly limits: CallLimits
  readonly args: Uint8Array
  readonly gas: WasmGlobal
}

const EMPTY = new Uint8Array(0)
const DIGEST_BYTES = 32
const strictUtf8 = new TextDecoder('utf-8', {fatal: true})
const utf16 = new TextDecoder('utf-16le')

type HostFunction = (...args: number[]) => number | bigint | void

export class HostSession {
  readonly buffer: WriteBuffer
  readonly events: ContractEvent[] = []
  readonly logs: string[] = []
  result: Uint8Array | undefined
  private memory: WasmMemory | undefined
  private register: Uint8Array = EMPTY

  constructor(private readonly options: HostSessionOptions) {
    this.buffer = new WriteBuffer(options.storage)
  }

  attach(memory: WasmMemory): void {
    this.memory = memory
  }

  gasLeft(): bigint {
    return this.options.gas.value as bigint
  }

  charge(units: number): void {
    const left = (this.options.gas.value as bigint) - BigInt(units)
    this.options.gas.value = left
    if (left < 0n) throw new HostTrap('OUT_OF_GAS', 'out of gas in a host call')
  }

  private memoryBytes(name: string): Uint8Array {
    if (this.memory === undefined) throw new HostTrap('CONTRACT_TRAP', `${name}: memory is not available yet`)
    return new Uint8Array(this.memory.buffer)
  }

  /** Copy `length` bytes at `pointer` out of linear memory, checking sign, limit and bounds. */
  private read(name: string, what: string, pointer: number, length: number, limit: number): Uint8Array {
    if (length < 0) throw new HostTrap('CONTRACT_TRAP', `${name}: ${what} length ${length} is negative`)
    if (length > limit) throw new HostTrap('PAYLOAD_TOO_LARGE', `${name}: ${what} is ${length} bytes; the limit is ${limit}`)
    const memory = this.memoryBytes(name)
    const start = pointer >>> 0
    if (start + length > memory.length) {
      throw new HostTrap('CONTRACT_TRAP', `${name}: ${what} at ${start}..${start + length} is outside memory (${memory.length} bytes)`)
    }
    this.charge(HOST_GAS.perByte * length)
    return memory.slice(start, start + length)
  }

  private write(name: string, pointer: number, data: Uint8Array): void {
    const memory = this.memoryBytes(name)
    const start = pointer >>> 0
    if (start + data.length > memory.length) {
      throw new HostTrap('CONTRACT_TRAP', `${name}: output at ${start}..${start + data.length} is outside memory (${memory.length} bytes)`)
    }
    this.charge(HOST_GAS.perByte * data.length)
    memory.set(data, start)
  }

  private text(name: string, what: string, pointer: number, length: number, limit: number): string {
    const bytes = this.read(name, what, pointer, length, limit)
    try {
      return strictUtf8.decode(bytes)
    } catch {
      throw new HostTrap('CONTRACT_TRAP', `${name}: ${what} is not valid UTF-8`)
    }
  }

  private toRegister(bytes: Uint8Array): number {
    this.register = bytes
    return bytes.length
  }

  /** An AssemblyScript string: UTF-16LE, its byte length stored 4 bytes before the pointer. */
  private assemblyScriptString(pointer: number): string {
    const start = pointer >>> 0
    const memory = this.memory === undefined ? EMPTY : new Uint8Array(this.memory.buffer)
    if (start === 0) return ''
    if (start < 4 || start > memory.length) return '<unreadable>'
    const declared = new DataView(memory.buffer).getUint32(start - 4, true)
    const length = Math.min(declared, this.options.limits.abortMessageCharsMax * 2, memory.length - start) & ~1
    return utf16.decode(memory.subarray(start, start + length))
  }

  private storageKey(name: string, pointer: number, length: number): Uint8Array {
    return this.read(name, 'key', pointer, length, this.options.limits.keyBytesMax)
  }

  private checkWriteSlot(name: string, key: Uint8Array): void {
    if (!this.buffer.has(key) && this.buffer.size >= this.options.limits.writesMax) {
      throw new HostTrap('PAYLOAD_TOO_LARGE', `${name}: more than ${this.options.limits.writesMax} keys written in one call`)
    }
  }

  /** The `env` import object: one closure per host function, each charging the call cost first. */
  imports(): Record<HostFunctionName, HostFunction> {
    const functions = this.functions()
    const charged = {} as Record<HostFunctionName, HostFunction>
    for (const [name, implementation] of Object.entries(functions) as Array<[HostFunctionName, HostFunction]>) {
      charged[name] = (...args: number[]) => {
        this.charge(HOST_GAS.call)
        return implementation(...args)
      }
    }
    return charged
  }

  private functions(): Record<HostFunctionName, HostFunction> {
    const {context, limits} = this.options
    return {
      abort: (message, file, line, column) => {
        const text = this.assemblyScriptString(message)
        const where = file === 0 ? '' : ` (${this.assemblyScriptString(file)}:${line}:${column})`
        throw new HostTrap('CONTRACT_ERROR', `contract aborted: ${text}${where}`)
      },
      register_read: (pointer) => this.write('register_read', pointer, this.register),
      args: () => this.toRegister(this.options.args),
      caller: () => this.toRegister(utf8(context.caller)),
      tx_hash: () => this.toRegister(utf8(context.txHash)),
      contract_name: () => this.toRegister(utf8(context.contract)),
      block_height: () => BigInt(context.blockHeight),
      block_time: () => BigInt(context.blockTime),
      gas_left: () => this.gasLeft(),
      storage_get: (keyPointer, keyLength) => {
        const key = this.storageKey('storage_get', keyPointer, keyLength)
        this.charge(HOST_GAS.storageRead)
        const value = this.buffer.get(key)
        if (value === undefined) {
          this.register = EMPTY
          return -1
        }
        this.charge(HOST_GAS.perByte * value.length)
        return this.toRegister(value)
      },
      storage_set: (keyPointer, keyLength, valuePointer, valueLength) => {
        const key = this.storageKey('storage_set', keyPointer, keyLength)
        const value = this.read('storage_set', 'value', valuePointer, valueLength, limits.valueBytesMax)
        this.charge(HOST_GAS.storageWrite + HOST_GAS.storageWritePerByte * (key.length + value.length))
        this.checkWriteSlot('storage_set', key)
        this.buffer.set(key, value)
      },
      storage_delete: (keyPointer, keyLength) => {
        const key = this.storageKey('storage_delete', keyPointer, keyLength)
        this.charge(HOST_GAS.storageDelete)
        this.checkWriteSlot('storage_delete', key)
        this.buffer.delete(key)
      },
      emit: (namePointer, nameLength, dataPointer, dataLength) => {
        if (this.events.length >= limits.eventsMax) throw new HostTrap('PAYLOAD_TOO_LARGE', `emit: more than ${limits.eventsMax} events in one call`)
        const name = this.text('emit', 'event name', namePointer, nameLength, limits.eventNameBytesMax)
        if (name.length === 0) throw new HostTrap('CONTRACT_TRAP', 'emit: event name is empty')
        const data = this.text('emit', 'event data', dataPointer, dataLength, limits.eventDataBytesMax)
        this.charge(HOST_GAS.emit)
        this.events.push(Object.freeze({name, data}))
      },
      log: (pointer, length) => {
        if (this.logs.length >= limits.logsMax) throw new HostTrap('PAYLOAD_TOO_LARGE', `log: more than ${limits.logsMax} log lines in one call`)
        const line = this.text('log', 'text', pointer, length, limits.logBytesMax)
        this.charge(HOST_GAS.log)
        this.logs.push(line)
      },
      sm3: (dataPointer, dataLength, outPointer) => {
        const data = this.read('sm3', 'input', dataPointer, dataLength, limits.hashInputBytesMax)
        this.charge(HOST_GAS.sm3)
        this.write('sm3', outPointer, sm3(data).subarray(0, DIGEST_BYTES))
      },
      return_value: (pointer, length) => {
        this.result = this.read('return_value', 'result', pointer, length, limits.resultBytesMax)
      },
    }
  }
}
