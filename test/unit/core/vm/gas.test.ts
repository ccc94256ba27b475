import {expect} from 'chai'
import {bytesEqual} from '../../../../src/core/bytes.js'
import {GAS_SCHEDULE, instrumentGas} from '../../../../src/core/vm/gas.js'
import {binaryen} from '../../../../src/core/vm/ir.js'
import type {ExecuteFailure, ExecuteResult} from '../../../../src/core/vm/runtime.js'
import {wasm} from '../../../../src/core/vm/wasm.js'
import {call, MemoryStorage, wat} from './fixtures.js'

/** `spin` loops as many times as the JSON arguments are long; `forever` never ends. */
const LOOPS = wat(`(module
  (import "env" "args" (func $args (result i32)))
  (import "env" "storage_set" (func $set (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "spin") (local $n i32)
    (local.set $n (call $args))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))))
  (func (export "forever")
    (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
    (loop $again (br $again))))`)

/** Recursion: `down` recurses args-length deep; `sums` calls a returning recursion many times. */
const RECURSION = wat(`(module
  (import "env" "args" (func $args (result i32)))
  (memory (export "memory") 1)
  (func $down (param $n i32)
    (if (local.get $n) (then (call $down (i32.sub (local.get $n) (i32.const 1))))))
  (func $sum (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (i32.add (local.get $n) (call $sum (i32.sub (local.get $n) (i32.const 1)))))
  (func $forever (call $forever))
  (func (export "down") (call $down (call $args)))
  (func (export "sums") (local $i i32)
    (loop $next
      (if (i32.ne (call $sum (i32.const 100)) (i32.const 5050)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 200)))))
  (func (export "forever") (call $forever)))`)

const MEMORY_OPS = wat(`(module
  (memory (export "memory") 1)
  (func (export "grow_to_limit") (if (i32.ne (memory.grow (i32.const 15)) (i32.const 1)) (then unreachable)))
  (func (export "grow_past_limit") (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable)))
  (func (export "fill_small") (memory.fill (i32.const 0) (i32.const 7) (i32.const 16)))
  (func (export "fill_large") (memory.fill (i32.const 0) (i32.const 7) (i32.const 65536))))`)

function gasOf(result: ExecuteResult): number {
  expect(result.ok, JSON.stringify(result)).to.equal(true)
  return result.gasUsed
}

function failed(result: ExecuteResult): ExecuteFailure {
  expect(result.ok, 'call should fail').to.equal(false)
  return result as ExecuteFailure
}

describe('vm/gas', () => {
  const loops = instrumentGas(LOOPS)
  const recursion = instrumentGas(RECURSION)
  const memoryOps = instrumentGas(MEMORY_OPS)

  it('produces identical bytes for the same input, and imports the gas counter', () => {
    expect(bytesEqual(instrumentGas(LOOPS), loops)).to.equal(true)
    const imports = wasm.Module.exports(new wasm.Module(loops)).map((e) => e.name)
    expect(imports).to.include('__wichain_depth')
    const module = binaryen.readBinary(loops)
    try {
      const globals = Array.from({length: module.getNumGlobals()}, (_, i) => binaryen.getGlobalInfo(module.getGlobalByIndex(i)))
      expect(globals.some((g) => g.module === '__wichain' && g.base === 'gas' && g.mutable)).to.equal(true)
    } finally {
      module.dispose()
    }
  })

  it('charges the same gas for the same call, every time', () => {
    const args = 'x'.repeat(50)
    const first = gasOf(call(loops, 'spin', {args}))
    expect(gasOf(call(loops, 'spin', {args}))).to.equal(first)
    expect(gasOf(call(loops.slice(), 'spin', {args}))).to.equal(first)
  })

  it('meters every loop iteration: gas grows linearly with the iterations', () => {
    const gasFor = (length: number) => gasOf(call(loops, 'spin', {args: 'x'.repeat(length - 2)}))
    const perIteration = gasFor(11) - gasFor(10)
    expect(perIteration).to.be.greaterThan(3)
    expect(gasFor(1010) - gasFor(10)).to.equal(1000 * perIteration)
  })

  it('stops an infinite loop with OUT_OF_GAS, uses the whole limit, and returns no writes', () => {
    const storage = new MemoryStorage()
    const result = failed(call(loops, 'forever', {storage, gasLimit: 200_000}))
    expect(result.error.code).to.equal('OUT_OF_GAS')
    expect(result.gasUsed).to.equal(200_000)
    expect(result).not.to.have.property('writes')
    expect(storage.entries.size).to.equal(0)
  })

  it('meters recursion: gas grows linearly with depth', () => {
    const gasFor = (depth: number) => gasOf(call(recursion, 'down', {args: 'x'.repeat(depth - 2)}))
    const perFrame = gasFor(21) - gasFor(20)
    expect(perFrame).to.be.greaterThan(GAS_SCHEDULE.call)
    expect(gasFor(1020) - gasFor(20)).to.equal(1000 * perFrame)
  })

  it('stops unbounded recursion by the deterministic depth limit, or by gas when gas is short', () => {
    expect(failed(call(recursion, 'forever')).error).to.deep.equal({code: 'CONTRACT_TRAP', message: 'call depth limit exceeded (recursion too deep)'})
    expect(failed(call(recursion, 'forever', {gasLimit: 5_000})).error.code).to.equal('OUT_OF_GAS')
    // The exported `down` takes frameSlots; each $down(n) frame frameSlots + 1 (its parameter),
    // and $down runs n + 1 times for an argument n (the JSON text's length: 'x'.repeat(n - 2)).
    const frames = Math.floor((GAS_SCHEDULE.stackSlotsMax - GAS_SCHEDULE.frameSlots) / (GAS_SCHEDULE.frameSlots + 1))
    const deepest = frames - 1
    expect(call(recursion, 'down', {args: 'x'.repeat(deepest - 2)}).ok).to.equal(true)
    expect(failed(call(recursion, 'down', {args: 'x'.repeat(deepest - 1)})).error.message).to.match(/depth limit/)
  })

  it('keeps the depth counter balanced across returns (many sequential recursive calls succeed)', () => {
    expect(gasOf(call(recursion, 'sums'))).to.be.greaterThan(200 * 100)
  })

  it('caps memory growth at the page limit and charges per page', () => {
    const grown = gasOf(call(memoryOps, 'grow_to_limit'))
    expect(grown).to.be.at.least(15 * GAS_SCHEDULE.memoryGrowPerPage)
    const failure = failed(call(memoryOps, 'grow_past_limit'))
    expect(failure.error).to.deep.equal({code: 'CONTRACT_TRAP', message: 'wasm trap: unreachable executed'})
    const module = binaryen.readBinary(memoryOps)
    try {
      expect(module.getMemoryInfo().max).to.equal(16)
    } finally {
      module.dispose()
    }
  })

  it('keeps a smaller declared memory maximum', () => {
    const small = instrumentGas(wat(`(module (memory (export "memory") 1 2)
      (func (export "grow") (if (i32.eq (memory.grow (i32.const 2)) (i32.const -1)) (then unreachable))))`))
    expect(failed(call(small, 'grow')).error.message).to.equal('wasm trap: unreachable executed')
  })

  it('charges bulk memory operations by size', () => {
    const small = gasOf(call(memoryOps, 'fill_small'))
    const large = gasOf(call(memoryOps, 'fill_large'))
    expect(large - small).to.equal((65536 - 16) / GAS_SCHEDULE.bulkBytesPerGas)
  })

  it('meters the start function, which runs before every method', () => {
    const withStart = instrumentGas(wat(`(module (memory (export "memory") 1)
      (global $ready (mut i32) (i32.const 0))
      (start $init)
      (func $init (local $i i32)
        (loop $next (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
        (global.set $ready (i32.const 1)))
      (func (export "run") (if (i32.eqz (global.get $ready)) (then unreachable))))`))
    expect(gasOf(call(withStart, 'run'))).to.be.greaterThan(1000 * 5)
    expect(failed(call(withStart, 'run', {gasLimit: 1000})).error.code).to.equal('OUT_OF_GAS')
  })

  it('refuses to instrument an invalid module', () => {
    expect(() => instrumentGas(new Uint8Array([0, 1, 2]))).to.throw(/header/)
  })
})
