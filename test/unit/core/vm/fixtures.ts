/** Shared helpers for the VM tests: WAT → bytes, an in-memory StorageView, a call context. */
import {toHex, utf8} from '../../../../src/core/bytes.js'
import type {CallContext} from '../../../../src/core/vm/host.js'
import {binaryen} from '../../../../src/core/vm/ir.js'
import {executeContract, type ExecuteRequest, type ExecuteResult} from '../../../../src/core/vm/runtime.js'
import type {StorageView, StorageWrite} from '../../../../src/core/vm/write-buffer.js'

/** Assemble WebAssembly text with binaryen. */
export function wat(text: string): Uint8Array {
  const module = binaryen.parseText(text)
  try {
    module.setFeatures(binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt)
    return module.emitBinary()
  } finally {
    module.dispose()
  }
}

/** Committed state for tests: applies a successful call's writes like the chain would. */
export class MemoryStorage implements StorageView {
  readonly entries = new Map<string, Uint8Array>()
  reads = 0

  get(key: Uint8Array): Uint8Array | undefined {
    this.reads++
    return this.entries.get(toHex(key))
  }

  apply(writes: readonly StorageWrite[]): void {
    for (const write of writes) {
      if (write.value === null) this.entries.delete(toHex(write.key))
      else this.entries.set(toHex(write.key), write.value)
    }
  }

  text(key: string): string | undefined {
    const value = this.entries.get(toHex(utf8(key)))
    return value === undefined ? undefined : new TextDecoder().decode(value)
  }
}

export const CONTEXT: CallContext = Object.freeze({
  caller: '1f'.repeat(20),
  txHash: 'a5'.repeat(32),
  blockHeight: 42,
  blockTime: 1_700_000_000_000,
  contract: 'test',
})

export const GAS = 10_000_000

/** Execute with defaults; apply writes to `storage` on success. */
export function call(
  code: Uint8Array,
  method: string,
  options: Partial<Omit<ExecuteRequest, 'code' | 'method'>> & {storage?: MemoryStorage} = {},
): ExecuteResult {
  const storage = options.storage ?? new MemoryStorage()
  const result = executeContract({context: CONTEXT, gasLimit: GAS, ...options, storage, code, method})
  if (result.ok) storage.apply(result.writes)
  return result
}

/** A module prelude: the memory every contract needs, exported as "memory". */
export const MEMORY = '(memory (export "memory") 1)'
