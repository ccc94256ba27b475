import {expect} from 'chai'
import {WichainError} from '../../../../src/core/errors.js'
import {instrumentGas} from '../../../../src/core/vm/gas.js'
import {executeContract, type ExecuteFailure} from '../../../../src/core/vm/runtime.js'
import {StorageFault} from '../../../../src/core/vm/write-buffer.js'
import {call, CONTEXT, GAS, MemoryStorage, wat} from './fixtures.js'

const SOURCE = wat(`(module
  (import "env" "storage_get" (func $get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (func (export "noop"))
  (func (export "once")
    (if (global.get $calls) (then unreachable))
    (global.set $calls (i32.const 1)))
  (func (export "divide") (drop (i32.div_u (i32.const 1) (i32.sub (global.get $calls) (global.get $calls)))))
  (func (export "out_of_bounds") (drop (i32.load (i32.const 70000))))
  (func (export "read") (drop (call $get (i32.const 0) (i32.const 1)))))`)
const CODE = instrumentGas(SOURCE)

function failure(result: ReturnType<typeof call>): ExecuteFailure['error'] {
  expect(result.ok).to.equal(false)
  return (result as ExecuteFailure).error
}

describe('vm/runtime', () => {
  it('runs a method with no result as null, and uses a fresh instance for every call', () => {
    const first = call(CODE, 'once')
    expect(first).to.deep.include({ok: true, result: null})
    expect(call(CODE, 'once').ok).to.equal(true)
  })

  it('refuses unknown and reserved methods without charging gas', () => {
    const unknown = call(CODE, 'missing')
    expect(unknown.gasUsed).to.equal(0)
    expect(failure(unknown)).to.deep.equal({code: 'UNKNOWN_CONTRACT', message: 'contract test has no method "missing"'})
    expect(failure(call(CODE, '__wichain_start')).code).to.equal('UNKNOWN_CONTRACT')
    expect(failure(call(CODE, 'memory')).code).to.equal('UNKNOWN_CONTRACT')
  })

  it('reports traps with engine-independent messages', () => {
    expect(failure(call(CODE, 'divide'))).to.deep.equal({code: 'CONTRACT_TRAP', message: 'wasm trap: integer divide by zero'})
    expect(failure(call(CODE, 'out_of_bounds'))).to.deep.equal({code: 'CONTRACT_TRAP', message: 'wasm trap: memory access out of bounds'})
  })

  it('refuses oversized arguments and too deep contract calls', () => {
    expect(failure(call(CODE, 'noop', {args: 'x'.repeat(70_000)})).code).to.equal('PAYLOAD_TOO_LARGE')
    expect(call(CODE, 'noop', {callDepth: 8}).ok).to.equal(true)
    expect(failure(call(CODE, 'noop', {callDepth: 9})).message).to.match(/call depth limit 8/)
  })

  it('throws on a bad gas limit or call depth (caller bugs, not contract failures)', () => {
    for (const gasLimit of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => call(CODE, 'noop', {gasLimit})).to.throw(WichainError, /gas limit/)
    }
    expect(() => call(CODE, 'noop', {callDepth: -1})).to.throw(WichainError, /call depth/)
  })

  it('refuses code that is not compiled or not instrumented', () => {
    expect(failure(call(new Uint8Array([1, 2, 3]), 'noop')).code).to.equal('INVALID_WASM')
    expect(failure(call(SOURCE, 'noop')).message).to.match(/not instrumented/)
  })

  it('lets a failing StorageView throw: a node fault is not a contract result', () => {
    const broken = {get: () => { throw new Error('disk on fire') }}
    expect(() => executeContract({code: CODE, method: 'read', context: CONTEXT, storage: broken, gasLimit: GAS}))
      .to.throw(StorageFault, /disk on fire/)
  })

  it('reads storage synchronously during the call', () => {
    const storage = new MemoryStorage()
    expect(call(CODE, 'read', {storage}).ok).to.equal(true)
    expect(storage.reads).to.equal(1)
  })
})
