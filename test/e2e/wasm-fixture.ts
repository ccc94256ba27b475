/**
 * A small hand-written contract shared by the e2e suites: `set` writes "1" under key k, `get`
 * reads it (null when absent), `spin` writes it and then loops forever (stopped by gas).
 */
import {binaryen} from '../../src/core/vm/ir.js'

export const SPINNER_WAT = `(module
  (import "env" "storage_get" (func $get (param i32 i32) (result i32)))
  (import "env" "storage_set" (func $set (param i32 i32 i32 i32)))
  (import "env" "register_read" (func $read (param i32)))
  (import "env" "return_value" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "k")
  (data (i32.const 8) "1")
  (data (i32.const 12) "null")
  (func (export "spin")
    (call $set (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 1))
    (loop $forever (br $forever)))
  (func (export "set")
    (call $set (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 1)))
  (func (export "get")
    (if (i32.lt_s (call $get (i32.const 0) (i32.const 1)) (i32.const 0))
      (then (call $ret (i32.const 12) (i32.const 4)))
      (else (call $read (i32.const 16)) (call $ret (i32.const 16) (i32.const 1))))))`

export function assemble(text: string): Uint8Array {
  const module = binaryen.parseText(text)
  try {
    return module.emitBinary()
  } finally {
    module.dispose()
  }
}
