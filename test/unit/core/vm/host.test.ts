import {expect} from 'chai'
import {toHex, utf8} from '../../../../src/core/bytes.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {instrumentGas} from '../../../../src/core/vm/gas.js'
import {HOST_GAS} from '../../../../src/core/vm/host.js'
import type {ExecuteFailure, ExecuteResult, ExecuteSuccess} from '../../../../src/core/vm/runtime.js'
import {call, CONTEXT, MemoryStorage, wat} from './fixtures.js'

const IMPORTS = `
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (import "env" "register_read" (func $register_read (param i32)))
  (import "env" "args" (func $args (result i32)))
  (import "env" "caller" (func $caller (result i32)))
  (import "env" "tx_hash" (func $tx_hash (result i32)))
  (import "env" "contract_name" (func $contract_name (result i32)))
  (import "env" "block_height" (func $block_height (result i64)))
  (import "env" "block_time" (func $block_time (result i64)))
  (import "env" "gas_left" (func $gas_left (result i64)))
  (import "env" "storage_get" (func $get (param i32 i32) (result i32)))
  (import "env" "storage_set" (func $set (param i32 i32 i32 i32)))
  (import "env" "storage_delete" (func $delete (param i32 i32)))
  (import "env" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "sm3" (func $sm3 (param i32 i32 i32)))
  (import "env" "return_value" (func $return (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "kv")
  (data (i32.const 8) "abc")
  (data (i32.const 16) "{")
  (data (i32.const 32) "\\ff\\fe")
  (data (i32.const 40) "{\\"n\\":7}")
  (data (i32.const 96) "\\08\\00\\00\\00b\\00o\\00o\\00m\\00")
  (data (i32.const 196) "\\0e\\00\\00\\00f\\00i\\00l\\00e\\00.\\00t\\00s\\00")`

/** One method per case: name → body. */
const METHODS: Record<string, string> = {
  // happy paths
  context_logs: `(local $n i32)
    (local.set $n (call $caller)) (call $register_read (i32.const 1000)) (call $log (i32.const 1000) (local.get $n))
    (local.set $n (call $tx_hash)) (call $register_read (i32.const 1000)) (call $log (i32.const 1000) (local.get $n))
    (local.set $n (call $contract_name)) (call $register_read (i32.const 1000)) (call $log (i32.const 1000) (local.get $n))
    (local.set $n (call $args)) (call $register_read (i32.const 1000)) (call $log (i32.const 1000) (local.get $n))
    (if (i64.ne (call $block_height) (i64.const 42)) (then unreachable))
    (if (i64.ne (call $block_time) (i64.const 1700000000000)) (then unreachable))
    (if (i64.ge_s (call $gas_left) (i64.const 10000000)) (then unreachable))`,
  storage_round_trip: `
    (call $set (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1))
    (if (i32.ne (call $get (i32.const 0) (i32.const 1)) (i32.const 1)) (then unreachable))
    (call $register_read (i32.const 500))
    (if (i32.ne (i32.load8_u (i32.const 500)) (i32.const 118)) (then unreachable))
    (call $delete (i32.const 0) (i32.const 1))
    (if (i32.ne (call $get (i32.const 0) (i32.const 1)) (i32.const -1)) (then unreachable))
    (call $set (i32.const 8) (i32.const 3) (i32.const 8) (i32.const 3))`,
  read_committed: `(if (i32.ne (call $get (i32.const 0) (i32.const 1)) (i32.const 3)) (then unreachable))
    (call $register_read (i32.const 500)) (call $return (i32.const 500) (i32.const 3))`,
  hash: `(call $sm3 (i32.const 8) (i32.const 3) (i32.const 300)) (call $set (i32.const 0) (i32.const 1) (i32.const 300) (i32.const 32))`,
  events: `(call $emit (i32.const 8) (i32.const 3) (i32.const 40) (i32.const 7)) (call $return (i32.const 40) (i32.const 7))`,
  // abort
  abort_with_file: `(call $abort (i32.const 100) (i32.const 200) (i32.const 12) (i32.const 5))`,
  abort_plain: `(call $abort (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 0))`,
  abort_bad_pointer: `(call $abort (i32.const 900000) (i32.const -4) (i32.const 1) (i32.const 1))`,
  // bad inputs
  get_out_of_bounds: `(drop (call $get (i32.const 65530) (i32.const 10)))`,
  get_negative_length: `(drop (call $get (i32.const 0) (i32.const -1)))`,
  get_key_too_large: `(drop (call $get (i32.const 0) (i32.const 257)))`,
  get_negative_pointer: `(drop (call $get (i32.const -8) (i32.const 4)))`,
  set_value_too_large: `(call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 65537))`,
  set_value_out_of_bounds: `(call $set (i32.const 0) (i32.const 1) (i32.const 65000) (i32.const 1000))`,
  set_negative_value_length: `(call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const -5))`,
  set_key_too_large: `(call $set (i32.const 0) (i32.const 300) (i32.const 0) (i32.const 1))`,
  delete_out_of_bounds: `(call $delete (i32.const 70000) (i32.const 1))`,
  emit_name_too_long: `(call $emit (i32.const 0) (i32.const 65) (i32.const 0) (i32.const 0))`,
  emit_empty_name: `(call $emit (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))`,
  emit_bad_utf8: `(call $emit (i32.const 8) (i32.const 3) (i32.const 32) (i32.const 2))`,
  emit_out_of_bounds: `(call $emit (i32.const 8) (i32.const 3) (i32.const 65535) (i32.const 2))`,
  log_negative_length: `(call $log (i32.const 0) (i32.const -2147483648))`,
  log_bad_utf8: `(call $log (i32.const 32) (i32.const 2))`,
  sm3_output_out_of_bounds: `(call $sm3 (i32.const 8) (i32.const 3) (i32.const 65530))`,
  sm3_input_too_large: `(call $sm3 (i32.const 0) (i32.const 65537) (i32.const 0))`,
  return_not_json: `(call $return (i32.const 16) (i32.const 1))`,
  return_out_of_bounds: `(call $return (i32.const 65535) (i32.const 2))`,
  register_read_out_of_bounds: `(drop (call $args)) (call $register_read (i32.const 65535))`,
  three_writes: `(call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
    (call $set (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 1))
    (call $set (i32.const 8) (i32.const 1) (i32.const 0) (i32.const 1))`,
  two_events: `(call $emit (i32.const 8) (i32.const 3) (i32.const 0) (i32.const 0)) (call $emit (i32.const 8) (i32.const 3) (i32.const 0) (i32.const 0))`,
  two_logs: `(call $log (i32.const 8) (i32.const 3)) (call $log (i32.const 8) (i32.const 3))`,
}

const CODE = instrumentGas(wat(`(module ${IMPORTS}
  ${Object.entries(METHODS).map(([name, body]) => `(func (export "${name}") ${body})`).join('\n')})`))

function ok(result: ExecuteResult): ExecuteSuccess {
  expect(result.ok, JSON.stringify(result)).to.equal(true)
  return result as ExecuteSuccess
}

function error(method: string, options: Parameters<typeof call>[2] = {}): ExecuteFailure['error'] {
  const result = call(CODE, method, options)
  expect(result.ok, `${method} should fail`).to.equal(false)
  expect(result.gasUsed).to.be.greaterThan(0)
  expect(result).not.to.have.property('writes')
  return (result as ExecuteFailure).error
}

describe('vm/host', () => {
  it('gives the contract its caller, tx hash, contract name, args, block height and time, gas left', () => {
    const result = ok(call(CODE, 'context_logs', {args: {n: 1}}))
    expect(result.logs).to.deep.equal([CONTEXT.caller, CONTEXT.txHash, CONTEXT.contract, '{"n":1}'])
  })

  it('reads its own buffered writes and deletes, and lists final writes sorted by key', () => {
    const result = ok(call(CODE, 'storage_round_trip'))
    expect(result.writes.map((w) => [new TextDecoder().decode(w.key), w.value === null ? null : new TextDecoder().decode(w.value)]))
      .to.deep.equal([['abc', 'abc'], ['k', null]])
  })

  it('reads committed state through the StorageView', () => {
    const storage = new MemoryStorage()
    storage.entries.set(toHex(utf8('k')), utf8('"x"'))
    expect(ok(call(CODE, 'read_committed', {storage})).result).to.equal('x')
  })

  it('hashes with SM3 and emits events with their data', () => {
    const storage = new MemoryStorage()
    ok(call(CODE, 'hash', {storage}))
    expect(toHex(storage.entries.get(toHex(utf8('k')))!)).to.equal(toHex(sm3(utf8('abc'))))
    const result = ok(call(CODE, 'events'))
    expect(result.events).to.deep.equal([{name: 'abc', data: '{"n":7}'}])
    expect(result.result).to.deep.equal({n: 7})
  })

  it('surfaces the abort message and location, and survives an unreadable message', () => {
    expect(error('abort_with_file')).to.deep.equal({code: 'CONTRACT_ERROR', message: 'contract aborted: boom (file.ts:12:5)'})
    expect(error('abort_plain')).to.deep.equal({code: 'CONTRACT_ERROR', message: 'contract aborted: boom'})
    expect(error('abort_bad_pointer').message).to.match(/contract aborted: <unreadable> \(<unreadable>:1:1\)/)
  })

  const BAD_INPUTS: Array<[string, string, RegExp]> = [
    ['get_out_of_bounds', 'CONTRACT_TRAP', /^storage_get: key at 65530\.\.65540 is outside memory \(65536 bytes\)$/],
    ['get_negative_length', 'CONTRACT_TRAP', /^storage_get: key length -1 is negative$/],
    ['get_key_too_large', 'PAYLOAD_TOO_LARGE', /^storage_get: key is 257 bytes; the limit is 256$/],
    ['get_negative_pointer', 'CONTRACT_TRAP', /^storage_get: key at 4294967288\.\..* is outside memory/],
    ['set_value_too_large', 'PAYLOAD_TOO_LARGE', /^storage_set: value is 65537 bytes; the limit is 65536$/],
    ['set_value_out_of_bounds', 'CONTRACT_TRAP', /^storage_set: value at 65000\.\.66000 is outside memory/],
    ['set_negative_value_length', 'CONTRACT_TRAP', /^storage_set: value length -5 is negative$/],
    ['set_key_too_large', 'PAYLOAD_TOO_LARGE', /^storage_set: key is 300 bytes/],
    ['delete_out_of_bounds', 'CONTRACT_TRAP', /^storage_delete: key at 70000\.\.70001 is outside memory/],
    ['emit_name_too_long', 'PAYLOAD_TOO_LARGE', /^emit: event name is 65 bytes; the limit is 64$/],
    ['emit_empty_name', 'CONTRACT_TRAP', /^emit: event name is empty$/],
    ['emit_bad_utf8', 'CONTRACT_TRAP', /^emit: event data is not valid UTF-8$/],
    ['emit_out_of_bounds', 'CONTRACT_TRAP', /^emit: event data at 65535\.\.65537 is outside memory/],
    ['log_negative_length', 'CONTRACT_TRAP', /^log: text length -2147483648 is negative$/],
    ['log_bad_utf8', 'CONTRACT_TRAP', /^log: text is not valid UTF-8$/],
    ['sm3_output_out_of_bounds', 'CONTRACT_TRAP', /^sm3: output at 65530\.\.65562 is outside memory/],
    ['sm3_input_too_large', 'PAYLOAD_TOO_LARGE', /^sm3: input is 65537 bytes/],
    ['return_not_json', 'CONTRACT_TRAP', /^return_value: the result is not valid UTF-8 JSON$/],
    ['return_out_of_bounds', 'CONTRACT_TRAP', /^return_value: result at 65535\.\.65537 is outside memory/],
    ['register_read_out_of_bounds', 'CONTRACT_TRAP', /^register_read: output at 65535\.\.65537 is outside memory/],
  ]

  for (const [method, code, message] of BAD_INPUTS) {
    it(`fails cleanly on bad input: ${method}`, () => {
      const failure = error(method)
      expect(failure.code).to.equal(code)
      expect(failure.message).to.match(message)
    })
  }

  it('enforces the per-call limits on writes, events and logs', () => {
    expect(error('three_writes', {limits: {writesMax: 2}}).message).to.match(/more than 2 keys written/)
    expect(ok(call(CODE, 'three_writes', {limits: {writesMax: 3}})).writes).to.have.length(3)
    expect(error('two_events', {limits: {eventsMax: 1}}).message).to.match(/more than 1 events/)
    expect(error('two_logs', {limits: {logsMax: 1}}).message).to.match(/more than 1 log lines/)
  })

  it('charges host calls: running out of gas inside a host function is OUT_OF_GAS', () => {
    const full = ok(call(CODE, 'storage_round_trip')).gasUsed
    expect(full).to.be.greaterThan(2 * HOST_GAS.storageWrite + 2 * HOST_GAS.storageRead + HOST_GAS.storageDelete + 6 * HOST_GAS.call)
    expect(error('storage_round_trip', {gasLimit: full - 1}).code).to.equal('OUT_OF_GAS')
  })
})
