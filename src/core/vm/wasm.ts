/**
 * Typed access to the engine's WebAssembly API. The project compiles without the DOM library, so
 * the global `WebAssembly` has no type declarations; this module declares the few parts we use.
 */

/** Opaque compiled module. */
export interface WasmModule {
  readonly __brand?: 'WasmModule'
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer
}

export interface WasmGlobal {
  value: bigint | number
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>
}

export interface WasmExportDescriptor {
  readonly name: string
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag'
}

export interface WasmImportDescriptor {
  readonly module: string
  readonly name: string
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag'
}

export type WasmImports = Record<string, Record<string, unknown>>

export interface WasmApi {
  validate(bytes: Uint8Array): boolean
  readonly Module: {
    new (bytes: Uint8Array): WasmModule
    exports(module: WasmModule): WasmExportDescriptor[]
    imports(module: WasmModule): WasmImportDescriptor[]
  }
  readonly Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance
  readonly Global: new (descriptor: {value: 'i32' | 'i64'; mutable: boolean}, value: bigint | number) => WasmGlobal
  readonly Memory: abstract new (...args: never[]) => WasmMemory
  readonly RuntimeError: abstract new (...args: never[]) => Error
}

export const wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly
