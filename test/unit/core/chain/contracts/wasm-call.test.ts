import {expect} from 'chai'
import {toHex, utf8} from '../../../../../src/core/bytes.js'
import {userStateKey} from '../../../../../src/core/chain/contracts/wasm-call.js'
import {executeBlock} from '../../../../../src/core/chain/executor.js'
import {WichainError} from '../../../../../src/core/errors.js'
import {encodeReceipt, receiptToJson} from '../../../../../src/core/types/receipt.js'
import {base64, counterWasm, expectFailed, expectOk, GAS_LIMIT, TestChain} from './wasm-fixtures.js'

describe('core/chain/executor: user WASM contracts', () => {
  const chain = new TestChain()
  const user = () => chain.accounts.user
  const admin = () => chain.accounts.orgadmin
  const counterKey = toHex(userStateKey('counter', utf8('n')))
  const stored = (): string | undefined => {
    const value = chain.test.state.get(counterKey)
    return value === undefined ? undefined : Buffer.from(value).toString()
  }

  before(() => {
    expectOk(chain.deploy('counter', counterWasm(1)))
  })

  it('runs a call tx: result, gas, events in the receipt, writes in the contract namespace', () => {
    const execution = chain.block(chain.tx(user(), 'counter', 'inc'))
    const receipt = execution.receipts[0]!
    expect(expectOk(receipt)).to.equal(1)
    expect(receipt.gasUsed).to.be.within(100, GAS_LIMIT)
    expect(receipt.events).to.deep.equal([{name: 'Inc', data: '1'}])
    expect(receiptToJson(receipt).events).to.deep.equal([{name: 'Inc', data: 1}])
    expect(stored()).to.equal('1')
    const keys = execution.writes.map((write) => Buffer.from(write.key).toString())
    expect(keys).to.deep.equal(['@counter/n', 'contracts/figures/counter'])
  })

  it('answers read-only queries from committed state without writing', () => {
    const before = chain.snapshot()
    expect(chain.query('counter', 'get')).to.equal(1)
    expect(chain.query('counter', 'inc')).to.equal(2)
    expect(chain.snapshot()).to.deep.equal(before)
    expect(() => chain.query('counter', 'nope')).to.throw(WichainError).with.property('code', 'UNKNOWN_CONTRACT')
    expect(() => chain.query('ghost', 'get')).to.throw(WichainError, /no contract "ghost"/)
  })

  it('lets later txs of a block read earlier ones', () => {
    const execution = chain.block(chain.tx(user(), 'counter', 'inc'), chain.tx(admin(), 'counter', 'inc'), chain.tx(user(), 'counter', 'get'))
    expect(execution.receipts.map((receipt) => expectOk(receipt))).to.deep.equal([2, 3, 3])
    expect(stored()).to.equal('3')
  })

  it('is deterministic: the same block over the same state gives the same receipts and writes', () => {
    const txs = [chain.tx(user(), 'counter', 'inc'), chain.tx(user(), 'counter', 'spin')]
    const block = {height: chain.height, timestamp: 1_800_000_000_000}
    const first = executeBlock(chain.test.env, txs, block)
    const second = executeBlock(chain.test.env, txs, block)
    expect(first.receipts.map((receipt) => toHex(encodeReceipt(receipt)))).to.deep.equal(second.receipts.map((receipt) => toHex(encodeReceipt(receipt))))
    expect(first.writes).to.deep.equal(second.writes)
  })

  it('a proposer\'s block gas limit leaves the txs beyond it out, exactly as if only the prefix ran', () => {
    const txs = [chain.tx(user(), 'counter', 'spin'), chain.tx(user(), 'counter', 'spin'), chain.tx(user(), 'counter', 'inc'), chain.tx(user(), 'counter', 'spin')]
    const block = {height: chain.height, timestamp: 1_800_000_000_000}
    // Each spin burns GAS_LIMIT: room for two of them, and the cheap inc would fit but comes after.
    const cut = executeBlock(chain.test.env, txs, block, {gasMax: 2 * GAS_LIMIT + 50})
    expect(cut.included).to.equal(2)
    expect(cut.gasUsed).to.equal(2 * GAS_LIMIT)
    const prefix = executeBlock(chain.test.env, txs.slice(0, 2), block)
    expect(cut.receipts.map((receipt) => toHex(encodeReceipt(receipt)))).to.deep.equal(prefix.receipts.map((receipt) => toHex(encodeReceipt(receipt))))
    expect(cut.writes).to.deep.equal(prefix.writes)
    // The first tx always fits (any single tx is within txGasMax <= blockGasMax).
    expect(executeBlock(chain.test.env, txs, block, {gasMax: 1}).included).to.equal(1)
    expect(executeBlock(chain.test.env, txs, block).included).to.equal(4)
  })

  it('stops an infinite loop by gas: OUT_OF_GAS, all gas burnt, nothing of the call kept', () => {
    const before = stored()
    const execution = chain.block(chain.tx(user(), 'counter', 'spin'))
    expectFailed(execution.receipts[0], 'OUT_OF_GAS', /out of gas/)
    expect(execution.receipts[0]!.gasUsed).to.equal(GAS_LIMIT)
    expect(stored()).to.equal(before)
    expect(execution.writes.map((write) => Buffer.from(write.key).toString())).to.deep.equal(['contracts/figures/counter'])
  })

  it('rolls back an aborted call and records CONTRACT_ERROR with the gas used', () => {
    const receipt = chain.send(user(), 'counter', 'fail')
    expectFailed(receipt, 'CONTRACT_ERROR', /aborted/)
    expect(receipt.gasUsed).to.be.within(1, GAS_LIMIT - 1)
    expect(stored()).to.equal('3')
  })

  it('refuses an unknown method or contract with UNKNOWN_CONTRACT and counts only deployed contracts', () => {
    expectFailed(chain.send(user(), 'counter', 'missing'), 'UNKNOWN_CONTRACT', /no method/)
    const execution = chain.block(chain.tx(user(), 'ghost', 'inc'))
    expectFailed(execution.receipts[0], 'UNKNOWN_CONTRACT', /no contract "ghost"/)
    expect(execution.writes).to.deep.equal([])
  })

  it('keeps per-contract figures on chain: calls, failures, gas, last error and height', () => {
    const figures = chain.status('counter').figures
    expect(figures).to.deep.include({calls: 7, failures: 3, lastHeight: chain.height - 2})
    expect(figures.lastError).to.deep.include({code: 'UNKNOWN_CONTRACT', height: chain.height - 2})
    expect(figures.gasUsed).to.be.greaterThan(GAS_LIMIT)
    const listed = (chain.query('contracts', 'list') as {contracts: Array<Record<string, unknown>>}).contracts[0]
    expect(listed).to.deep.include({name: 'counter', calls: 7, failures: 3, gasUsed: figures.gasUsed})
  })

  it('keeps state across an upgrade; the new code runs from the next tx on', () => {
    const upgrade = chain.tx(chain.accounts.devops, 'contracts', 'upgrade', {name: 'counter', code: base64(counterWasm(2)), version: '2.0'})
    const execution = chain.block(chain.tx(user(), 'counter', 'inc'), upgrade, chain.tx(user(), 'counter', 'inc'))
    expect(execution.receipts.map((receipt) => receipt.status)).to.deep.equal(['ok', 'ok', 'ok'])
    expect(JSON.parse(execution.receipts[0]!.result)).to.equal(4)
    expect(JSON.parse(execution.receipts[2]!.result)).to.equal(6)
    expect(chain.status('counter')).to.deep.include({version: 2, versionTag: '2.0', status: 'active'})
  })

  it('refuses calls to a frozen contract (no gas, no writes), still answers queries, and unfreezes', () => {
    expectOk(chain.send(admin(), 'contracts', 'freeze', {name: 'counter'}))
    const receipt = chain.send(user(), 'counter', 'inc')
    expectFailed(receipt, 'CONTRACT_FROZEN', /frozen since height \d+/)
    expect(receipt.gasUsed).to.equal(0)
    expect(stored()).to.equal('6')
    expect(chain.query('counter', 'get')).to.equal(6)
    expectOk(chain.send(admin(), 'contracts', 'unfreeze', {name: 'counter'}))
    expect(expectOk(chain.send(user(), 'counter', 'inc'))).to.equal(8)
  })

  it('refuses calls to a destroyed contract for good; its state stays readable', () => {
    expectOk(chain.send(admin(), 'contracts', 'destroy', {name: 'counter'}))
    expectFailed(chain.send(user(), 'counter', 'inc'), 'CONTRACT_DESTROYED', /for good/)
    expectFailed(chain.send(admin(), 'contracts', 'unfreeze', {name: 'counter'}), 'CONTRACT_DESTROYED')
    expectFailed(chain.send(user(), 'counter', 'inc'), 'CONTRACT_DESTROYED')
    expect(stored()).to.equal('8')
    expect(chain.query('counter', 'get')).to.equal(8)
  })

  it('uses the chain gas limit for queries too', () => {
    const small = new TestChain(100_000)
    expectOk(small.deploy('loop', counterWasm(1)))
    expect(() => small.query('loop', 'spin')).to.throw(WichainError, /limit 100000/).with.property('code', 'OUT_OF_GAS')
    expect(small.send(small.accounts.user, 'loop', 'spin').gasUsed).to.equal(100_000)
  })
})
