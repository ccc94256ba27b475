/**
 * Contract engine figures: deploy-time costs, instantiate time, calls/s for a trivial and a
 * storage-heavy method, host-call rate, and metered vs unmetered speed of a compute loop.
 * Run: node --import tsx bench/vm.ts   (numbers go to BENCHMARKS.md, never into tests)
 */
import {join} from 'node:path'
import {toHex} from '../src/core/bytes.js'
import {buildContract, contractTemplatesDir} from '../src/core/vm/build.js'
import {instrumentGas} from '../src/core/vm/gas.js'
import {binaryen} from '../src/core/vm/ir.js'
import {executeContract, type ExecuteRequest} from '../src/core/vm/runtime.js'
import {validateModule} from '../src/core/vm/validate.js'
import {wasm} from '../src/core/vm/wasm.js'

const CONTEXT = {caller: '1f'.repeat(20), txHash: 'a5'.repeat(32), blockHeight: 1, blockTime: 1_700_000_000_000, contract: 'bench'}
const GAS_LIMIT = 1_000_000_000

function wat(text: string): Uint8Array {
  const module = binaryen.parseText(text)
  module.setFeatures(binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.BulkMemory)
  const bytes = module.emitBinary()
  module.dispose()
  return bytes
}

/** Run `work` repeatedly for about `durationMs`; return operations per second. */
function rate(work: () => void, durationMs = 1500): number {
  for (let i = 0; i < 50; i++) work()
  let count = 0
  const start = performance.now()
  while (performance.now() - start < durationMs) {
    for (let i = 0; i < 20; i++) work()
    count += 20
  }
  return count / ((performance.now() - start) / 1000)
}

function timeMs(work: () => void, repeats: number): number {
  work()
  const start = performance.now()
  for (let i = 0; i < repeats; i++) work()
  return (performance.now() - start) / repeats
}

const SYNTHETIC = wat(`(module
  (import "env" "storage_get" (func $get (param i32 i32) (result i32)))
  (import "env" "storage_set" (func $set (param i32 i32 i32 i32)))
  (import "env" "gas_left" (func $gas_left (result i64)))
  (memory (export "memory") 1)
  (func (export "noop"))
  (func (export "heavy") (local $i i32)
    (loop $next
      (i32.store8 (i32.const 0) (local.get $i))
      (call $set (i32.const 0) (i32.const 8) (i32.const 16) (i32.const 64))
      (drop (call $get (i32.const 0) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 64)))))
  (func (export "host_calls") (local $i i32)
    (loop $next
      (drop (call $gas_left))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 100000)))))
  (func (export "compute") (local $i i32) (local $x i64)
    (local.set $x (i64.const 88172645463325252))
    (loop $next
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
      (i64.store (i32.and (i32.wrap_i64 (local.get $x)) (i32.const 4088)) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 10000000))))))`)

function storage(): ExecuteRequest['storage'] & {apply(writes: readonly {key: Uint8Array; value: Uint8Array | null}[]): void} {
  const entries = new Map<string, Uint8Array>()
  return {
    get: (key) => entries.get(toHex(key)),
    apply(writes) {
      for (const w of writes) w.value === null ? entries.delete(toHex(w.key)) : entries.set(toHex(w.key), w.value)
    },
  }
}

function request(code: Uint8Array, method: string, args: ExecuteRequest['args'] = {}): ExecuteRequest {
  return {code, method, args, context: CONTEXT, storage: storage(), gasLimit: GAS_LIMIT}
}

function uninstrumentedRun(bytes: Uint8Array, method: string): () => void {
  const module = new wasm.Module(bytes)
  const env = {storage_get: () => -1, storage_set: () => undefined, gas_left: () => 0n}
  return () => (new wasm.Instance(module, {env}).exports[method] as () => void)()
}

async function main(): Promise<void> {
  const rows: Array<[string, string]> = []
  const counterDir = join(contractTemplatesDir(), 'counter')
  await buildContract(counterDir)
  const buildStart = performance.now()
  const built = await buildContract(counterDir)
  const buildMs = performance.now() - buildStart
  rows.push(['asc build of templates/contracts/counter (warm)', `${buildMs.toFixed(0)} ms, ${built.size} bytes`])
  rows.push(['validateModule (counter)', `${timeMs(() => validateModule(built.wasm), 20).toFixed(2)} ms`])
  const counter = instrumentGas(built.wasm)
  rows.push(['instrumentGas (counter)', `${timeMs(() => instrumentGas(built.wasm), 20).toFixed(2)} ms, ${built.size} → ${counter.length} bytes`])

  const counterModule = new wasm.Module(counter)
  const gas = new wasm.Global({value: 'i64', mutable: true}, 10n ** 12n)
  const noopEnv = Object.fromEntries(validateModule(built.wasm).imports.map((name) => [name, () => 0]))
  const instantiateUs = timeMs(() => new wasm.Instance(counterModule, {env: noopEnv, __wichain: {gas}}), 2000) * 1000
  rows.push(['instantiate (counter, compiled module cached)', `${instantiateUs.toFixed(1)} µs`])

  const synthetic = instrumentGas(SYNTHETIC)
  rows.push(['executeContract: trivial (noop, WAT)', `${rate(() => executeContract(request(synthetic, 'noop'))).toFixed(0)} calls/s`])
  const counterState = storage()
  const increment = {...request(counter, 'get'), storage: counterState}
  rows.push(['executeContract: counter.get (AS, 1 storage read)', `${rate(() => executeContract(increment)).toFixed(0)} calls/s`])
  const incrementRequest = {...request(counter, 'increment'), storage: counterState}
  rows.push(['executeContract: counter.increment (AS, read+write+event)', `${rate(() => {
    const result = executeContract(incrementRequest)
    if (result.ok) counterState.apply(result.writes)
  }).toFixed(0)} calls/s`])
  rows.push(['executeContract: heavy (64 × storage_set 64 B + storage_get)', `${rate(() => executeContract(request(synthetic, 'heavy'))).toFixed(0)} calls/s`])
  const hostMs = timeMs(() => executeContract(request(synthetic, 'host_calls')), 10)
  rows.push(['host calls (gas_left, metered)', `${(100_000 / hostMs * 1000 / 1e6).toFixed(2)} M/s`])

  const unmetered = uninstrumentedRun(SYNTHETIC, 'compute')
  const plainMs = timeMs(unmetered, 5)
  const meteredMs = timeMs(() => executeContract(request(synthetic, 'compute')), 5)
  const computeGas = executeContract(request(synthetic, 'compute')).gasUsed
  rows.push(['compute loop 10M iterations, unmetered', `${plainMs.toFixed(1)} ms`])
  rows.push(['compute loop 10M iterations, metered', `${meteredMs.toFixed(1)} ms (${(meteredMs / plainMs).toFixed(2)}×), ${computeGas} gas`])

  const width = Math.max(...rows.map(([name]) => name.length))
  for (const [name, value] of rows) process.stdout.write(`${name.padEnd(width)}  ${value}\n`)
}

await main()
