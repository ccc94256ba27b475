/**
 * A user contract's output and input on the host side: result and event data nested deeper than
 * CONTRACT_OUTPUT_DEPTH_MAX fail the call (CONTRACT_TRAP) instead of reaching JSON.stringify,
 * where they would exhaust the JS stack on some nodes only; args reach the VM only once they pass
 * the strict tx args rule.
 */
import {expect} from 'chai'
import {CONTRACT_OUTPUT_DEPTH_MAX} from '../../../../../src/core/limits.js'
import {wat} from '../../vm/fixtures.js'
import {rawTx} from '../raw-tx.js'
import {expectFailed, expectOk, TestChain} from './wasm-fixtures.js'

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`

/** `result_<d>` returns JSON nested d deep, `event_<d>` emits it, `echo` returns its args. */
function outputWasm(depths: readonly number[]): Uint8Array {
  let offset = 1024
  const methods: string[] = []
  const data: string[] = []
  for (const depth of depths) {
    const text = nested(depth)
    data.push(`(data (i32.const ${offset}) "${text}")`)
    methods.push(`(func (export "result_${depth}") (call $ret (i32.const ${offset}) (i32.const ${text.length})))`)
    methods.push(`(func (export "event_${depth}") (call $emit (i32.const 0) (i32.const 1) (i32.const ${offset}) (i32.const ${text.length})))`)
    offset += text.length
  }
  return wat(`(module
    (import "env" "args" (func $args (result i32)))
    (import "env" "register_read" (func $read (param i32)))
    (import "env" "return_value" (func $ret (param i32 i32)))
    (import "env" "emit" (func $emit (param i32 i32 i32 i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "E")
    ${data.join('\n')}
    ${methods.join('\n')}
    (func (export "echo") (local $length i32)
      (local.set $length (call $args))
      (call $read (i32.const 32768))
      (call $ret (i32.const 32768) (local.get $length))))`)
}

describe('core/chain/contracts/wasm-call: output depth and strict args', () => {
  const chain = new TestChain()
  const user = () => chain.accounts.user
  const LIMIT = CONTRACT_OUTPUT_DEPTH_MAX

  before(() => {
    expectOk(chain.deploy('output', outputWasm([LIMIT, LIMIT + 1, 7_000])))
  })

  it('keeps a result or event nested up to the limit', () => {
    expect(JSON.stringify(expectOk(chain.send(user(), 'output', `result_${LIMIT}`)))).to.equal(nested(LIMIT))
    const receipt = chain.send(user(), 'output', `event_${LIMIT}`)
    expectOk(receipt)
    expect(receipt.events).to.deep.equal([{name: 'E', data: nested(LIMIT)}])
  })

  it('fails a call whose result or event data nests deeper, whatever the depth: CONTRACT_TRAP naming the limit', () => {
    for (const depth of [LIMIT + 1, 7_000]) {
      expectFailed(chain.send(user(), 'output', `result_${depth}`), 'CONTRACT_TRAP', /CONTRACT_OUTPUT_DEPTH_MAX/)
      expectFailed(chain.send(user(), 'output', `event_${depth}`), 'CONTRACT_TRAP', /CONTRACT_OUTPUT_DEPTH_MAX/)
    }
  })

  it('a query gets the same refusal', () => {
    expect(() => chain.query('output', 'result_7000')).to.throw(/CONTRACT_OUTPUT_DEPTH_MAX/)
    expect(() => chain.query('output', 'echo', {deep: JSON.parse(nested(200)) as unknown})).to.throw(/CONTRACT_OUTPUT_DEPTH_MAX/)
  })

  it('executes args that are not strict JSON to an INVALID_TX receipt before the VM runs (no gas)', () => {
    const echo = (args: string) => rawTx(user(), args, {contract: 'output', method: 'echo', expiry: 1_000_000})
    const [duplicate, deep, fine] = chain.block(echo('{"a":1,"a":2}'), echo(`{"a":${nested(40)}}`), echo('{"a": 1}')).receipts
    expectFailed(duplicate, 'INVALID_TX', /twice/)
    expectFailed(deep, 'INVALID_TX', /TX_ARGS_DEPTH_MAX/)
    expect(duplicate!.gasUsed + deep!.gasUsed).to.equal(0)
    expect(expectOk(fine)).to.deep.equal({a: 1})
  })
})
