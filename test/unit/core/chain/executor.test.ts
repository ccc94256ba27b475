import {expect} from 'chai'
import {toHex, utf8} from '../../../../src/core/bytes.js'
import {WichainError} from '../../../../src/core/errors.js'
import type {SystemContract} from '../../../../src/core/chain/contracts/contract.js'
import {evidenceContract} from '../../../../src/core/chain/contracts/evidence.js'
import {executeBlock, query, resolveMethod, stateKey, type BlockExecution} from '../../../../src/core/chain/executor.js'
import {encodeReceipt, RECEIPT_LIMITS} from '../../../../src/core/types/receipt.js'
import {createTestNetwork, createTestState, makeTx} from './fixtures.js'

/** A contract to drive the executor: writes, deletes, reads and fails on request. */
const probeContract: SystemContract = {
  name: 'probe',
  description: 'test contract',
  methods: {
    set: {
      readOnly: false,
      run(state, args) {
        const {entries} = args as {entries: Record<string, string>}
        for (const [key, value] of Object.entries(entries)) state.set(key, utf8(value))
        return {count: Object.keys(entries).length}
      },
    },
    setThenFail: {
      readOnly: false,
      run(state, args) {
        state.set((args as {key: string}).key, utf8('partial'))
        state.delete('kept')
        throw new WichainError('CONTRACT_ERROR', 'refused after writing')
      },
    },
    remove: {
      readOnly: false,
      run(state, args) {
        state.delete((args as {key: string}).key)
        return null
      },
    },
    read: {
      readOnly: true,
      run(state, args) {
        const value = state.get((args as {key: string}).key)
        return value === undefined ? null : Buffer.from(value).toString('utf8')
      },
    },
    huge: {
      readOnly: false,
      run: () => 'x'.repeat(RECEIPT_LIMITS.resultBytesMax),
    },
    longMessage: {
      readOnly: false,
      run() {
        throw new WichainError('CONTRACT_ERROR', 'm'.repeat(RECEIPT_LIMITS.messageLengthMax * 2))
      },
    },
    splitPair: {
      readOnly: false,
      run() {
        // The cut at the message limit falls between the two halves of the emoji.
        throw new WichainError('CONTRACT_ERROR', `${'m'.repeat(RECEIPT_LIMITS.messageLengthMax - 1)}😀`)
      },
    },
    adminsOnly: {
      readOnly: false,
      roles: ['orgadmin'],
      run: () => 'ok',
    },
  },
}

const BLOCK = {height: 5, timestamp: 1_700_000_000_500}

describe('core/chain/executor', () => {
  const network = createTestNetwork()
  const {env, state, commit} = createTestState(network, [evidenceContract, probeContract])
  const user = network.accounts.user

  it('namespaces state keys by contract', () => {
    expect(Buffer.from(stateKey('evidence', 'case-1')).toString()).to.equal('evidence/case-1')
  })

  it('applies successful writes in the order of the block and returns them sorted by key', () => {
    const first = makeTx(user, {contract: 'probe', method: 'set', args: {entries: {zeta: '1', alpha: '2'}}})
    const second = makeTx(user, {contract: 'probe', method: 'set', args: {entries: {zeta: '3', mid: '4'}}})
    const execution = executeBlock(env, [first, second], BLOCK)
    expect(execution.receipts.map((receipt) => receipt.status)).to.deep.equal(['ok', 'ok'])
    expect(execution.receipts[0]!.result).to.equal('{"count":2}')
    expect(execution.receipts.map((receipt) => toHex(receipt.txHash))).to.deep.equal([first.hashHex, second.hashHex])
    const keys = execution.writes.map((write) => toHex(write.key))
    expect(keys).to.deep.equal([...keys].sort())
    expect(execution.writes.map((write) => [Buffer.from(write.key).toString(), Buffer.from(write.value!).toString()])).to.deep.equal([
      ['probe/alpha', '2'], ['probe/mid', '4'], ['probe/zeta', '3'],
    ])
    commit(execution)
    expect(query(env, 'probe', 'read', {key: 'zeta'}, 6)).to.equal('3')
  })

  it('gives identical receipts and writes when the same block is executed twice', () => {
    const txs = [
      makeTx(user, {contract: 'probe', method: 'set', args: {entries: {b: '1', a: '2'}}}),
      makeTx(user, {contract: 'probe', method: 'setThenFail', args: {key: 'c'}}),
      makeTx(user, {contract: 'evidence', method: 'put', args: {key: 'twice', hash: 'ab'.repeat(32)}}),
      makeTx(user, {contract: 'evidence', method: 'put', args: {key: 'twice', hash: 'cd'.repeat(32)}}),
      makeTx(user, {contract: 'nope', method: 'x'}),
    ]
    const encode = (execution: BlockExecution) => ({
      receipts: execution.receipts.map((receipt) => toHex(encodeReceipt(receipt))),
      writes: execution.writes.map((write) => [toHex(write.key), write.value === null ? null : toHex(write.value)]),
    })
    const once = encode(executeBlock(env, txs, BLOCK))
    const twice = encode(executeBlock(env, txs, BLOCK))
    expect(twice).to.deep.equal(once)
    // Another node with its own copy of the same state agrees too.
    const replica = createTestState(network, [evidenceContract, probeContract])
    for (const [key, value] of state) replica.state.set(key, value)
    expect(encode(executeBlock(replica.env, txs, BLOCK))).to.deep.equal(once)
  })

  it('leaves no writes from a failed tx, and later txs do not see them', () => {
    commit(executeBlock(env, [makeTx(user, {contract: 'probe', method: 'set', args: {entries: {kept: 'yes'}}})], BLOCK))
    const failing = makeTx(user, {contract: 'probe', method: 'setThenFail', args: {key: 'ghost'}})
    const reader = makeTx(user, {contract: 'probe', method: 'set', args: {entries: {after: 'x'}}})
    const execution = executeBlock(env, [failing, reader], BLOCK)
    expect(execution.receipts[0]).to.deep.include({status: 'failed', result: 'null'})
    expect(execution.receipts[0]!.error).to.deep.equal({code: 'CONTRACT_ERROR', message: 'refused after writing'})
    expect(execution.writes.map((write) => Buffer.from(write.key).toString())).to.deep.equal(['probe/after'])
    commit(execution)
    expect(query(env, 'probe', 'read', {key: 'ghost'}, 6)).to.equal(null)
    expect(query(env, 'probe', 'read', {key: 'kept'}, 6)).to.equal('yes')
  })

  it('turns a delete into a null write that removes the key', () => {
    commit(executeBlock(env, [makeTx(user, {contract: 'probe', method: 'set', args: {entries: {doomed: '1'}}})], BLOCK))
    const execution = executeBlock(env, [makeTx(user, {contract: 'probe', method: 'remove', args: {key: 'doomed'}})], BLOCK)
    expect(execution.writes).to.have.length(1)
    expect(execution.writes[0]!.value).to.equal(null)
    commit(execution)
    expect(query(env, 'probe', 'read', {key: 'doomed'}, 6)).to.equal(null)
  })

  it('lets a tx read what an earlier tx of the same block wrote', () => {
    const write = makeTx(user, {contract: 'probe', method: 'set', args: {entries: {fresh: 'v'}}})
    const deleteIt = makeTx(user, {contract: 'probe', method: 'remove', args: {key: 'fresh'}})
    const execution = executeBlock(env, [write, deleteIt], BLOCK)
    expect(execution.writes.map((entry) => [Buffer.from(entry.key).toString(), entry.value])).to.deep.equal([['probe/fresh', null]])
  })

  it('fails unknown contracts and methods with UNKNOWN_CONTRACT receipts', () => {
    const txs = [
      makeTx(user, {contract: 'nope', method: 'put'}),
      makeTx(user, {contract: 'evidence', method: 'drop'}),
      makeTx(user, {contract: 'evidence', method: 'toString'}),
      makeTx(user, {contract: 'evidence', method: '__proto__'}),
      makeTx(user, {contract: 'evidence', method: 'constructor'}),
    ]
    const execution = executeBlock(env, txs, BLOCK)
    for (const receipt of execution.receipts) {
      expect(receipt.status).to.equal('failed')
      expect(receipt.error!.code).to.equal('UNKNOWN_CONTRACT')
    }
    expect(execution.receipts[0]!.error!.message).to.match(/no contract "nope"/)
    expect(execution.receipts[1]!.error!.message).to.match(/has no method "drop"/)
    expect(execution.writes).to.deep.equal([])
    expect(() => resolveMethod(env, 'evidence', 'hasOwnProperty')).to.throw(WichainError).with.property('code', 'UNKNOWN_CONTRACT')
  })

  it('enforces method roles with UNAUTHORIZED receipts', () => {
    const execution = executeBlock(env, [
      makeTx(network.accounts.orgadmin, {contract: 'probe', method: 'adminsOnly'}),
      makeTx(user, {contract: 'probe', method: 'adminsOnly'}),
      makeTx(network.stranger, {contract: 'probe', method: 'adminsOnly'}),
    ], BLOCK)
    expect(execution.receipts.map((receipt) => receipt.status)).to.deep.equal(['ok', 'failed', 'failed'])
    expect(execution.receipts[1]!.error!.code).to.equal('UNAUTHORIZED')
    expect(execution.receipts[1]!.error!.message).to.match(/needs role orgadmin; sender has user/)
    expect(execution.receipts[2]!.error!.message).to.match(/sender has none/)
  })

  it('bounds results and messages (non-Wichain errors are faults: execution-faults.test.ts)', () => {
    const execution = executeBlock(env, [
      makeTx(user, {contract: 'probe', method: 'huge'}),
      makeTx(user, {contract: 'probe', method: 'longMessage'}),
      makeTx(user, {contract: 'probe', method: 'splitPair'}),
    ], BLOCK)
    expect(execution.receipts[0]!.error!.code).to.equal('PAYLOAD_TOO_LARGE')
    expect(execution.receipts[1]!.error!.message).to.have.length(RECEIPT_LIMITS.messageLengthMax)
    expect(execution.receipts[2]!.error!.message).to.have.length(RECEIPT_LIMITS.messageLengthMax)
    expect(execution.receipts[2]!.error!.message.endsWith('m\ufffd')).to.equal(true)
    // Every receipt must stay encodable (it goes into the receiptRoot).
    for (const receipt of execution.receipts) expect(() => encodeReceipt(receipt)).to.not.throw()
  })

  it('query refuses methods that write and unknown methods', () => {
    expect(() => query(env, 'probe', 'set', {entries: {}}, 1)).to.throw(WichainError).with.property('code', 'INVALID_ARGUMENT')
    expect(() => query(env, 'probe', 'nothing', {}, 1)).to.throw(WichainError).with.property('code', 'UNKNOWN_CONTRACT')
    expect(() => query(env, 'ghost', 'read', {}, 1)).to.throw(WichainError).with.property('code', 'UNKNOWN_CONTRACT')
  })

  it('executes an empty block to nothing', () => {
    expect(executeBlock(env, [], BLOCK)).to.deep.equal({receipts: [], writes: [], included: 0, gasUsed: 0})
  })
})
