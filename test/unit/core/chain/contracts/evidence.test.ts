import {expect} from 'chai'
import {toHex, utf8} from '../../../../../src/core/bytes.js'
import {encodeCanonical} from '../../../../../src/core/codec/canonical.js'
import {sm3} from '../../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../../src/core/errors.js'
import {EVIDENCE_LIMITS, evidenceContract} from '../../../../../src/core/chain/contracts/evidence.js'
import {executeBlock, query, stateKey} from '../../../../../src/core/chain/executor.js'
import {encodeReceipt, type Receipt} from '../../../../../src/core/types/receipt.js'
import type {Signer} from '../../../../../src/core/crypto/index.js'
import {createTestNetwork, createTestState, makeTx} from '../fixtures.js'

const HASH = toHex(sm3(utf8('claim form 42')))
const OTHER_HASH = toHex(sm3(utf8('claim form 43')))

function expectFailed(receipt: Receipt | undefined, code: string, message?: RegExp): void {
  expect(receipt?.status).to.equal('failed')
  expect(receipt?.error?.code).to.equal(code)
  if (message !== undefined) expect(receipt?.error?.message).to.match(message)
}

describe('core/chain/contracts/evidence', () => {
  const network = createTestNetwork()
  const {env, state, commit} = createTestState(network, [evidenceContract])
  const user = network.accounts.user
  let height = 1
  const put = (signer: Signer, args: unknown) => makeTx(signer, {contract: 'evidence', method: 'put', args})
  /** Execute one block of txs and commit its writes; returns the receipts. */
  const run = (...txs: ReturnType<typeof put>[]) => {
    const execution = executeBlock(env, txs, {height, timestamp: 1_700_000_000_000 + height})
    commit(execution)
    height++
    return execution
  }
  const get = (key: string) => query(env, 'evidence', 'get', {key}, height) as Record<string, unknown>

  it('puts a record that get returns with owner, tx hash, height and block time', () => {
    const tx = put(user, {key: 'case-1', hash: HASH, meta: {kind: '工伤认定', pages: 3}})
    const execution = run(tx)
    expect(execution.receipts[0]).to.deep.include({status: 'ok', error: null})
    expect(JSON.parse(execution.receipts[0]!.result)).to.deep.equal({key: 'case-1', hash: HASH})
    expect(execution.writes.map((write) => Buffer.from(write.key).toString())).to.deep.equal(['evidence/case-1'])
    expect(get('case-1')).to.deep.equal({
      key: 'case-1',
      hash: HASH,
      meta: {kind: '工伤认定', pages: 3},
      owner: user.address,
      txHash: tx.hashHex,
      height: 1,
      timestamp: 1_700_000_000_001,
    })
  })

  it('stores the record canonically under evidence/<key>', () => {
    const stored = state.get(toHex(stateKey('evidence', 'case-1')))!
    const record = get('case-1')
    const expected = encodeCanonical({
      hash: record.hash, meta: JSON.stringify(record.meta), owner: record.owner, txHash: record.txHash, height: record.height, timestamp: record.timestamp,
    })
    expect(toHex(stored)).to.equal(toHex(expected))
  })

  it('refuses a second put of the same key in the same block; the first stays', () => {
    const first = put(user, {key: 'case-2', hash: HASH})
    const second = put(network.accounts.orgadmin, {key: 'case-2', hash: OTHER_HASH})
    const execution = run(first, second)
    expect(execution.receipts[0]!.status).to.equal('ok')
    expectFailed(execution.receipts[1], 'ALREADY_EXISTS', new RegExp(`already recorded by tx ${first.hashHex}`))
    expect(execution.writes).to.have.length(1)
    expect(get('case-2')).to.include({hash: HASH, txHash: first.hashHex, owner: user.address})
  })

  it('refuses a second put of the same key in a later block; the first stays', () => {
    const before = get('case-1')
    const execution = run(put(user, {key: 'case-1', hash: OTHER_HASH}))
    expectFailed(execution.receipts[0], 'ALREADY_EXISTS')
    expect(execution.writes).to.deep.equal([])
    expect(get('case-1')).to.deep.equal(before)
  })

  it('lets orgadmin, user and devops put, and refuses the auditor with UNAUTHORIZED', () => {
    const execution = run(
      put(network.accounts.orgadmin, {key: 'by-admin', hash: HASH}),
      put(network.accounts.devops, {key: 'by-devops', hash: HASH}),
      put(network.accounts.auditor, {key: 'by-auditor', hash: HASH}),
    )
    expect(execution.receipts.map((receipt) => receipt.status)).to.deep.equal(['ok', 'ok', 'failed'])
    expectFailed(execution.receipts[2], 'UNAUTHORIZED', /auditor/)
    expect(() => get('by-auditor')).to.throw(WichainError).with.property('code', 'NOT_FOUND')
  })

  it('refuses bad args with INVALID_ARGUMENT failed receipts and no writes', () => {
    // Args that are not an object never reach the contract: no node admits the tx.
    for (const args of [[], '"case"', 'null']) expect(() => put(user, args)).to.throw(WichainError).with.property('code', 'INVALID_TX')
    const badArgs: unknown[] = [
      {hash: HASH},
      {key: '', hash: HASH},
      {key: 7, hash: HASH},
      {key: 'k'.repeat(EVIDENCE_LIMITS.keyLengthMax + 1), hash: HASH},
      {key: 'bad-hash'},
      {key: 'bad-hash', hash: 'xyz'},
      {key: 'bad-hash', hash: 'ab'.repeat(15)},
      {key: 'bad-hash', hash: 'ab'.repeat(65)},
      {key: 'bad-hash', hash: `${HASH}a`},
      {key: 'bad-hash', hash: 12},
      {key: 'bad-hash', hash: `0x${HASH}`},
    ]
    const execution = run(...badArgs.map((args) => put(user, args)))
    execution.receipts.forEach((receipt, index) => {
      expect(receipt.status, JSON.stringify(badArgs[index])).to.equal('failed')
      expect(receipt.error!.code, JSON.stringify(badArgs[index])).to.equal('INVALID_ARGUMENT')
    })
    expect(execution.writes).to.deep.equal([])
  })

  it('refuses meta over the size limit with PAYLOAD_TOO_LARGE and accepts it at the limit', () => {
    const filler = (length: number) => 'x'.repeat(length - 2) // JSON quotes add two bytes
    const execution = run(
      put(user, {key: 'meta-big', hash: HASH, meta: filler(EVIDENCE_LIMITS.metaBytesMax + 1)}),
      put(user, {key: 'meta-edge', hash: HASH, meta: filler(EVIDENCE_LIMITS.metaBytesMax)}),
      put(user, {key: 'meta-wide', hash: HASH, meta: '工'.repeat(EVIDENCE_LIMITS.metaBytesMax / 3)}),
    )
    expectFailed(execution.receipts[0], 'PAYLOAD_TOO_LARGE')
    expect(execution.receipts[1]!.status).to.equal('ok')
    expectFailed(execution.receipts[2], 'PAYLOAD_TOO_LARGE')
    expect(get('meta-edge').meta).to.equal(filler(EVIDENCE_LIMITS.metaBytesMax))
  })

  it('normalizes the hash to lower case and accepts 16..64-byte digests', () => {
    const execution = run(
      put(user, {key: 'upper', hash: HASH.toUpperCase()}),
      put(user, {key: 'short', hash: 'ab'.repeat(16)}),
      put(user, {key: 'long', hash: 'cd'.repeat(64)}),
    )
    expect(execution.receipts.map((receipt) => receipt.status)).to.deep.equal(['ok', 'ok', 'ok'])
    expect(get('upper').hash).to.equal(HASH)
    expect(get('upper').meta).to.equal(null)
  })

  it('get refuses a missing record with NOT_FOUND and bad args with INVALID_ARGUMENT', () => {
    expect(() => get('nothing-here')).to.throw(WichainError, /no record for key "nothing-here"/).with.property('code', 'NOT_FOUND')
    for (const args of [{}, [], null, {key: ''}]) {
      expect(() => query(env, 'evidence', 'get', args, height)).to.throw(WichainError).with.property('code', 'INVALID_ARGUMENT')
    }
  })

  it('compares keys exactly: case and spacing variants are other records', () => {
    const execution = run(put(user, {key: 'CASE-1', hash: HASH}), put(user, {key: 'case-1 ', hash: HASH}))
    expect(execution.receipts.map((receipt) => receipt.status)).to.deep.equal(['ok', 'ok'])
  })

  it('refuses a key with a lone surrogate (it would share a state slot with U+FFFD) and keeps receipts encodable', () => {
    // A tx cannot carry one (tx args are strict JSON); a query can.
    expect(() => put(user, `{"key":"\\ud800","hash":"${HASH}"}`)).to.throw(WichainError).with.property('code', 'INVALID_TX')
    expect(() => query(env, 'evidence', 'get', {key: '\ud800'}, height)).to.throw(/well-formed/)
    const execution = run(put(user, {key: '\ufffd', hash: HASH}))
    expect(execution.receipts[0]!.status).to.equal('ok')
    for (const receipt of execution.receipts) expect(() => encodeReceipt(receipt)).to.not.throw()
  })

  it('fails a put over a corrupt stored record with DECODE_ERROR instead of overwriting it', () => {
    state.set(toHex(stateKey('evidence', 'corrupt')), utf8('not cbor'))
    const execution = run(put(user, {key: 'corrupt', hash: HASH}))
    expectFailed(execution.receipts[0], 'DECODE_ERROR')
    expect(execution.writes).to.deep.equal([])
  })
})
