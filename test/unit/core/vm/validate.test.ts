import {expect} from 'chai'
import {WichainError} from '../../../../src/core/errors.js'
import {validateModule} from '../../../../src/core/vm/validate.js'
import {MEMORY, wat} from './fixtures.js'

function refusal(bytes: Uint8Array, limits?: Parameters<typeof validateModule>[1]): WichainError {
  try {
    validateModule(bytes, limits)
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    expect((error as WichainError).code).to.equal('INVALID_WASM')
    return error as WichainError
  }
  expect.fail('module was accepted')
}

describe('vm/validate', () => {
  it('accepts an integer-only module and lists its methods, imports and memory', () => {
    const info = validateModule(wat(`(module
      (import "env" "log" (func $log (param i32 i32)))
      (memory (export "memory") 1 4)
      (func (export "run") (call $log (i32.const 0) (i32.const 0)))
      (func (export "another"))
      (func $helper (param i32) (result i64) (i64.extend_i32_u (local.get 0))))`))
    expect(info.methods).to.deep.equal(['another', 'run'])
    expect(info.imports).to.deep.equal(['log'])
    expect(info.memory).to.deep.equal({initialPages: 1, maximumPages: 4})
    expect(info.codeHash).to.match(/^[0-9a-f]{64}$/)
  })

  it('refuses junk, empty and truncated bytes with a clear message', () => {
    expect(refusal(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])).message).to.match(/\\0asm header/)
    expect(refusal(new Uint8Array(0)).message).to.match(/\\0asm header/)
    const valid = wat(`(module ${MEMORY} (func (export "run")))`)
    expect(refusal(valid.subarray(0, valid.length - 3)).message).to.match(/not a valid WebAssembly module/)
    const corrupted = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0xff, 0xff, 0xff])
    expect(refusal(corrupted).message).to.match(/not a valid WebAssembly module/)
  })

  it('refuses float instructions, float locals, float signatures and float globals', () => {
    const floatInBody = wat(`(module ${MEMORY} (func (export "run") (drop (f64.add (f64.const 1) (f64.const 2)))))`)
    expect(refusal(floatInBody).message).to.match(/f64/)
    const conversion = wat(`(module ${MEMORY} (func (export "run") (drop (i32.trunc_f32_s (f32.const 1)))))`)
    expect(refusal(conversion).message).to.match(/f32/)
    const floatLocal = wat(`(module ${MEMORY} (func (export "run") (local f32)))`)
    expect(refusal(floatLocal).message).to.match(/f32.*no floats/)
    const floatParam = wat(`(module ${MEMORY} (func (export "run")) (func $f (param f64)))`)
    expect(refusal(floatParam).message).to.match(/f64/)
    const floatGlobal = wat(`(module ${MEMORY} (global $g f32 (f32.const 0)) (func (export "run")))`)
    expect(refusal(floatGlobal).message).to.match(/global .* has type f32/)
    const floatStore = wat(`(module ${MEMORY} (func (export "run") (f32.store (i32.const 0) (f32.const 1))))`)
    expect(refusal(floatStore).message).to.match(/f32/)
  })

  it('refuses imports from outside the host API and imports with the wrong signature', () => {
    const foreign = wat(`(module (import "wasi" "fd_write" (func (param i32))) ${MEMORY} (func (export "run")))`)
    expect(refusal(foreign).message).to.match(/import wasi\.fd_write is not part of the host API/)
    const unknownName = wat(`(module (import "env" "seed" (func (result i32))) ${MEMORY} (func (export "run")))`)
    expect(refusal(unknownName).message).to.match(/env\.seed/)
    const wrongSignature = wat(`(module (import "env" "log" (func (param i32))) ${MEMORY} (func (export "run")))`)
    expect(refusal(wrongSignature).message).to.match(/wrong signature/)
    const importedGlobal = wat(`(module (import "env" "g" (global i32)) ${MEMORY} (func (export "run")))`)
    expect(refusal(importedGlobal).message).to.match(/global import/)
    const importedMemory = wat(`(module (import "env" "memory" (memory 1)) (func (export "run")))`)
    expect(refusal(importedMemory).message).to.match(/memory import/)
  })

  it('refuses too many memory pages, initial or maximum, and honours a configured limit', () => {
    expect(refusal(wat(`(module (memory (export "memory") 17) (func (export "run")))`)).message).to.match(/initial memory is 17 pages/)
    expect(refusal(wat(`(module (memory (export "memory") 1 100) (func (export "run")))`)).message).to.match(/maximum memory is 100 pages/)
    const twoPages = wat(`(module (memory (export "memory") 2) (func (export "run")))`)
    expect(validateModule(twoPages).memory.initialPages).to.equal(2)
    expect(refusal(twoPages, {memoryPagesMax: 1}).message).to.match(/limit is 1 pages/)
  })

  it('refuses a module without an exported memory', () => {
    expect(refusal(wat(`(module (func (export "run")))`)).message).to.match(/no memory/)
    expect(refusal(wat(`(module (memory 1) (func (export "run")))`)).message).to.match(/export its memory as "memory"/)
  })

  it('refuses exported functions with parameters or results, and reserved export names', () => {
    expect(refusal(wat(`(module ${MEMORY} (func (export "add") (param i32)))`)).message).to.match(/add must take no parameters/)
    expect(refusal(wat(`(module ${MEMORY} (func (export "get") (result i32) (i32.const 1)))`)).message).to.match(/get must take no parameters/)
    expect(refusal(wat(`(module ${MEMORY} (func (export "__wichain_depth")))`)).message).to.match(/reserved prefix/)
  })

  it('refuses code, table, function, global and local counts over the limits', () => {
    const code = wat(`(module ${MEMORY} (func (export "run")) (func $a) (func $b))`)
    expect(refusal(code, {codeBytesMax: 16}).message).to.match(/bytes; the limit is 16/)
    expect(refusal(code, {functionsMax: 2}).message).to.match(/3 functions; the limit is 2/)
    const table = wat(`(module ${MEMORY} (table 2000 funcref) (func (export "run")))`)
    expect(refusal(table).message).to.match(/table size 2000/)
    const globals = wat(`(module ${MEMORY} (global $a (mut i32) (i32.const 0)) (global $b (mut i32) (i32.const 0)) (func (export "run")))`)
    expect(refusal(globals, {globalsMax: 1}).message).to.match(/2 globals/)
    const locals = wat(`(module ${MEMORY} (func (export "run") (local i32 i32 i32)))`)
    expect(refusal(locals, {localsPerFunctionMax: 2}).message).to.match(/3 locals/)
  })

  it('refuses shared memory, atomics and SIMD', () => {
    const shared = wat(`(module (memory (export "memory") 1 1 shared) (func (export "run")))`)
    expect(refusal(shared).message).to.match(/unshared/)
    const atomic = wat(`(module ${MEMORY} (func (export "run") (drop (i32.atomic.load (i32.const 0)))))`)
    expect(refusal(atomic).message).to.match(/atomic/)
    const simd = wat(`(module ${MEMORY} (func (export "run") (drop (i32x4.extract_lane 0 (i32x4.splat (i32.const 1))))))`)
    expect(refusal(simd).message).to.match(/SIMD/)
  })
})
