import {expect} from 'chai'
import fc from 'fast-check'
import {fromHex, toHex} from '../../../../src/core/bytes.js'
import {encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../src/core/errors.js'
import {
  createReceipt, decodeReceipt, encodeReceipt, RECEIPT_LIMITS, receiptToDocument, receiptToJson, type Receipt,
} from '../../../../src/core/types/receipt.js'

function expectCode(action: () => unknown, code: string, message?: RegExp): void {
  expect(action).to.throw(WichainError).with.property('code', code)
  if (message !== undefined) expect(action).to.throw(message)
}

const TX_HASH = sm3(new Uint8Array([42]))

const OK: Receipt = createReceipt({
  txHash: TX_HASH,
  status: 'ok',
  result: '{"key":"case-1"}',
  error: null,
  gasUsed: 12,
  events: [{name: 'evidence.put', data: '{"key":"case-1"}'}, {name: 'x', data: 'null'}],
})

const FAILED: Receipt = createReceipt({
  txHash: TX_HASH,
  status: 'failed',
  result: 'null',
  error: {code: 'ALREADY_EXISTS', message: 'evidence: key "case-1" was already recorded'},
  gasUsed: 0,
  events: [],
})

function withField(receipt: Receipt, change: Record<string, unknown>): Uint8Array {
  return encodeCanonical({...receiptToDocument(receipt), ...change})
}

describe('core/types/receipt', () => {
  it('round-trips ok and failed receipts through their bytes', () => {
    for (const receipt of [OK, FAILED]) {
      const decoded = decodeReceipt(encodeReceipt(receipt))
      expect(decoded).to.deep.equal(receipt)
      expect(toHex(encodeReceipt(decoded))).to.equal(toHex(encodeReceipt(receipt)))
    }
  })

  it('round-trips generated receipts', () => {
    const json = fc.jsonValue({maxDepth: 2}).map((value) => JSON.stringify(value))
    const receipt = fc.record({
      txHash: fc.uint8Array({minLength: 32, maxLength: 32}),
      failure: fc.option(fc.record({code: fc.string({maxLength: 64}), message: fc.string({maxLength: 200})})),
      result: json,
      gasUsed: fc.maxSafeInteger().map(Math.abs),
      events: fc.array(fc.record({name: fc.string({maxLength: 64}), data: json}), {maxLength: 4}),
    })
    fc.assert(
      fc.property(receipt, ({txHash, failure, result, gasUsed, events}) => {
        const built = createReceipt({txHash, status: failure === null ? 'ok' : 'failed', result, error: failure, gasUsed, events})
        expect(decodeReceipt(encodeReceipt(built))).to.deep.equal(built)
      }),
      {numRuns: 200, seed: 3},
    )
  })

  it('is frozen, events included', () => {
    expect(Object.isFrozen(OK)).to.equal(true)
    expect(Object.isFrozen(OK.events)).to.equal(true)
    expect(Object.isFrozen(OK.events[0])).to.equal(true)
  })

  it('different outcomes give different bytes', () => {
    const encodings = new Set([OK, FAILED, createReceipt({...OK, gasUsed: 13}), createReceipt({...OK, events: []})].map((receipt) => toHex(encodeReceipt(receipt))))
    expect(encodings.size).to.equal(4)
  })

  it('refuses junk bytes', () => {
    for (const hex of ['', 'a0', '00', 'f6', toHex(encodeReceipt(OK)).slice(0, -2), `${toHex(encodeReceipt(OK))}00`]) {
      expectCode(() => decodeReceipt(fromHex(hex)), 'DECODE_ERROR')
    }
  })

  it('refuses malformed fields, naming them', () => {
    expectCode(() => decodeReceipt(withField(OK, {txHash: new Uint8Array(31)})), 'DECODE_ERROR', /receipt\.txHash: expected 32 bytes/)
    expectCode(() => decodeReceipt(withField(OK, {status: 'maybe'})), 'DECODE_ERROR', /receipt\.status: expected one of ok, failed/)
    expectCode(() => decodeReceipt(withField(OK, {gasUsed: -1})), 'DECODE_ERROR', /receipt\.gasUsed/)
    expectCode(() => decodeReceipt(withField(OK, {result: 5})), 'DECODE_ERROR', /receipt\.result: expected a string/)
    expectCode(() => decodeReceipt(withField(OK, {extra: 1})), 'DECODE_ERROR', /receipt: unexpected field "extra"/)
    expectCode(() => decodeReceipt(withField(FAILED, {error: {code: 'X'}})), 'DECODE_ERROR', /receipt\.error: missing field "message"/)
    expectCode(() => decodeReceipt(withField(FAILED, {error: 'X'})), 'DECODE_ERROR', /receipt\.error: expected a map/)
    expectCode(() => decodeReceipt(withField(FAILED, {error: {code: 'X', message: 'm'.repeat(RECEIPT_LIMITS.messageLengthMax + 1)}})), 'DECODE_ERROR', /receipt\.error\.message/)
    expectCode(() => decodeReceipt(withField(OK, {events: [{name: 'e'}]})), 'DECODE_ERROR', /receipt\.events\[0\]: missing field "data"/)
    expectCode(() => decodeReceipt(withField(OK, {events: 'none'})), 'DECODE_ERROR', /receipt\.events: expected an array/)
    const tooMany = Array.from({length: RECEIPT_LIMITS.eventsMax + 1}, () => ({name: 'e', data: 'null'}))
    expectCode(() => decodeReceipt(withField(OK, {events: tooMany})), 'DECODE_ERROR', /receipt\.events: array longer than/)
  })

  it('refuses result or event data that is not JSON text', () => {
    expectCode(() => decodeReceipt(withField(OK, {result: '{'})), 'DECODE_ERROR', /receipt\.result: not JSON/)
    expectCode(() => decodeReceipt(withField(OK, {result: ''})), 'DECODE_ERROR', /receipt\.result: not JSON/)
    expectCode(() => decodeReceipt(withField(OK, {events: [{name: 'e', data: 'undefined'}]})), 'DECODE_ERROR', /receipt\.events\[0\]\.data: not JSON/)
  })

  it('refuses a status that disagrees with the error field', () => {
    expectCode(() => decodeReceipt(withField(OK, {error: {code: 'X', message: 'm'}})), 'DECODE_ERROR', /status ok with error present/)
    expectCode(() => decodeReceipt(withField(FAILED, {error: null})), 'DECODE_ERROR', /status failed with error missing/)
  })

  it('receiptToJson parses result and event data', () => {
    expect(receiptToJson(OK)).to.deep.equal({
      txHash: toHex(TX_HASH),
      status: 'ok',
      result: {key: 'case-1'},
      error: null,
      gasUsed: 12,
      events: [{name: 'evidence.put', data: {key: 'case-1'}}, {name: 'x', data: null}],
    })
    expect(receiptToJson(decodeReceipt(encodeReceipt(FAILED)))).to.have.deep.property('error', FAILED.error)
  })
})
