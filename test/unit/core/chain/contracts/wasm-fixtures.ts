/**
 * Small WASM contracts in WebAssembly text (assembled by binaryen: fast, unlike asc) and a test
 * chain that executes blocks of txs against them, for the manager and executor tests.
 */
import {expect} from 'chai'
import {evidenceContract} from '../../../../../src/core/chain/contracts/evidence.js'
import {executeBlock, query, type BlockExecution} from '../../../../../src/core/chain/executor.js'
import type {Signer} from '../../../../../src/core/crypto/index.js'
import type {Receipt} from '../../../../../src/core/types/receipt.js'
import type {Tx} from '../../../../../src/core/types/tx.js'
import {wat} from '../../vm/fixtures.js'
import {createTestNetwork, createTestState, makeTx, type TestNetwork} from '../fixtures.js'

/**
 * A counter kept as one ASCII digit under key "n" (so the stored bytes are the JSON result):
 * `inc` adds `step` and emits Inc, `get` reads, `spin` writes then loops forever, `fail` writes
 * then aborts.
 */
export function counterWasm(step: number): Uint8Array {
  return wat(`(module
    (import "env" "storage_get" (func $get (param i32 i32) (result i32)))
    (import "env" "storage_set" (func $set (param i32 i32 i32 i32)))
    (import "env" "register_read" (func $read (param i32)))
    (import "env" "return_value" (func $ret (param i32 i32)))
    (import "env" "emit" (func $emit (param i32 i32 i32 i32)))
    (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "n")
    (data (i32.const 16) "Inc")
    (func $load (result i32)
      (if (i32.lt_s (call $get (i32.const 0) (i32.const 1)) (i32.const 0))
        (then (i32.store8 (i32.const 32) (i32.const 48)))
        (else (call $read (i32.const 32))))
      (i32.load8_u (i32.const 32)))
    (func (export "inc")
      (i32.store8 (i32.const 32) (i32.add (call $load) (i32.const ${step})))
      (call $set (i32.const 0) (i32.const 1) (i32.const 32) (i32.const 1))
      (call $emit (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 1))
      (call $ret (i32.const 32) (i32.const 1)))
    (func (export "get")
      (drop (call $load))
      (call $ret (i32.const 32) (i32.const 1)))
    (func (export "spin")
      (call $set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 1))
      (loop $forever (br $forever)))
    (func (export "fail")
      (call $set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 1))
      (call $abort (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))`)
}

/** A valid module that uses a float: refused at deploy. */
export function floatWasm(): Uint8Array {
  return wat(`(module (memory (export "memory") 1)
    (func (export "f") (drop (f64.add (f64.const 1) (f64.const 2)))))`)
}

export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

export const GAS_LIMIT = 1_000_000

export function expectOk(receipt: Receipt | undefined): unknown {
  expect(receipt?.status, JSON.stringify(receipt?.error)).to.equal('ok')
  return JSON.parse(receipt!.result) as unknown
}

export function expectFailed(receipt: Receipt | undefined, code: string, message?: RegExp): void {
  expect(receipt?.status).to.equal('failed')
  expect(receipt?.error?.code, receipt?.error?.message).to.equal(code)
  if (message !== undefined) expect(receipt?.error?.message).to.match(message)
}

/** A test chain: accounts for the four roles, in-memory state, blocks executed and committed. */
export class TestChain {
  readonly network: TestNetwork = createTestNetwork()
  readonly test = createTestState(this.network, [evidenceContract])
  height = 1

  constructor(txGasMax = GAS_LIMIT) {
    ;(this.test.env as {txGasMax?: number}).txGasMax = txGasMax
  }

  get accounts() {
    return this.network.accounts
  }

  tx(signer: Signer, contract: string, method: string, args: unknown = {}): Tx {
    return makeTx(signer, {contract, method, args, expiry: 1_000_000})
  }

  /** Execute one block and commit its writes. */
  block(...txs: Tx[]): BlockExecution {
    const execution = executeBlock(this.test.env, txs, {height: this.height, timestamp: 1_700_000_000_000 + this.height})
    this.test.commit(execution)
    this.height++
    return execution
  }

  /** One tx in its own block; its receipt. */
  send(signer: Signer, contract: string, method: string, args: unknown = {}): Receipt {
    return this.block(this.tx(signer, contract, method, args)).receipts[0]!
  }

  deploy(name: string, code: Uint8Array, extra: Record<string, unknown> = {}): Receipt {
    return this.send(this.accounts.devops, 'contracts', 'deploy', {name, code: base64(code), ...extra})
  }

  query(contract: string, method: string, args: unknown = {}): unknown {
    return query(this.test.env, contract, method, args, this.height - 1)
  }

  status(name: string): Record<string, any> {
    return this.query('contracts', 'status', {name}) as Record<string, any>
  }

  /** State as hex key → value, to compare before and after. */
  snapshot(): Map<string, string> {
    return new Map([...this.test.state].map(([key, value]) => [key, Buffer.from(value).toString('hex')]))
  }
}
