import {expect} from 'chai'
import {readArray, readBytes, readEnum, readRecord, readString, readUint} from '../../../../src/core/codec/fields.js'
import {WichainError} from '../../../../src/core/errors.js'

function expectDecodeError(action: () => unknown, message: RegExp): void {
  expect(action).to.throw(WichainError, message).with.property('code', 'DECODE_ERROR')
}

describe('core/codec/fields', () => {
  describe('readRecord', () => {
    const keys = ['height', 'hash'] as const

    it('returns a record with exactly the expected fields', () => {
      const record = readRecord({height: 1, hash: 'ab'}, 'header', keys)
      expect(record).to.deep.equal({height: 1, hash: 'ab'})
      expect(readRecord({}, 'empty', [])).to.deep.equal({})
    })

    it('names a missing field', () => {
      expectDecodeError(() => readRecord({height: 1}, 'header', keys), /^header: missing field "hash"$/)
    })

    it('names an extra field', () => {
      expectDecodeError(() => readRecord({height: 1, hash: 'ab', extra: 0}, 'header', keys), /^header: unexpected field "extra"$/)
    })

    it('does not count inherited properties as fields', () => {
      const inherited = Object.create({hash: 'ab'}) as Record<string, unknown>
      inherited.height = 1
      expectDecodeError(() => readRecord(inherited, 'header', keys), /missing field "hash"/)
      expectDecodeError(() => readRecord({}, 'doc', ['constructor']), /missing field "constructor"/)
      expectDecodeError(() => readRecord({}, 'doc', ['toString']), /missing field "toString"/)
    })

    it('accepts a field whose value is null or undefined as present', () => {
      expect(readRecord({height: null, hash: undefined}, 'header', keys)).to.have.property('height', null)
    })

    it('refuses values that are not maps, naming the document', () => {
      for (const junk of [null, undefined, 1, 'text', true, [], [1, 2], new Uint8Array(2)]) {
        expectDecodeError(() => readRecord(junk, 'receipt.error', keys), /^receipt\.error: expected a map$/)
      }
    })
  })

  describe('readArray', () => {
    it('returns arrays up to the length limit', () => {
      expect(readArray([1, 2], 'list', 2)).to.deep.equal([1, 2])
      expect(readArray([], 'list', 0)).to.deep.equal([])
    })

    it('names the field when the value is not an array or too long', () => {
      expectDecodeError(() => readArray({0: 1, length: 1}, 'block.txs', 5), /^block\.txs: expected an array$/)
      expectDecodeError(() => readArray(new Uint8Array(1), 'block.txs', 5), /^block\.txs: expected an array$/)
      expectDecodeError(() => readArray([1, 2, 3], 'block.txs', 2), /^block\.txs: array longer than 2$/)
    })
  })

  describe('readBytes', () => {
    it('checks type and exact or maximal length', () => {
      const bytes = new Uint8Array(4)
      expect(readBytes(bytes, 'b')).to.equal(bytes)
      expect(readBytes(bytes, 'b', {exact: 4})).to.equal(bytes)
      expect(readBytes(bytes, 'b', {max: 4})).to.equal(bytes)
      expectDecodeError(() => readBytes(bytes, 'tx.sender', {exact: 65}), /^tx\.sender: expected 65 bytes$/)
      expectDecodeError(() => readBytes(bytes, 'header.proposer', {max: 3}), /^header\.proposer: longer than 3 bytes$/)
    })

    it('names the field when the value is not bytes', () => {
      for (const junk of [null, 'abcd', [1, 2], {length: 4}, 4]) {
        expectDecodeError(() => readBytes(junk, 'tx.nonce', {exact: 4}), /^tx\.nonce: expected bytes$/)
      }
    })
  })

  describe('readString', () => {
    it('checks type and length in characters', () => {
      expect(readString('工伤', 's', 2)).to.equal('工伤')
      expect(readString('', 's', 0)).to.equal('')
      expectDecodeError(() => readString('abc', 'tx.method', 2), /^tx\.method: longer than 2 characters$/)
      for (const junk of [null, 1, new Uint8Array(1), ['a'], {}]) {
        expectDecodeError(() => readString(junk, 'tx.method', 10), /^tx\.method: expected a string$/)
      }
    })
  })

  describe('readUint', () => {
    it('accepts unsigned safe integers only', () => {
      expect(readUint(0, 'n')).to.equal(0)
      expect(readUint(Number.MAX_SAFE_INTEGER, 'n')).to.equal(Number.MAX_SAFE_INTEGER)
      for (const junk of [-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, '1', null, 1n, true]) {
        expectDecodeError(() => readUint(junk, 'header.height'), /^header\.height: expected an unsigned integer$/)
      }
    })
  })

  describe('readEnum', () => {
    it('accepts only the listed values and lists them in the message', () => {
      expect(readEnum('ok', 'status', ['ok', 'failed'])).to.equal('ok')
      expect(readEnum(2, 'n', [1, 2])).to.equal(2)
      for (const junk of ['OK', '', null, 0, ['ok']]) {
        expectDecodeError(() => readEnum(junk, 'receipt.status', ['ok', 'failed']), /^receipt\.status: expected one of ok, failed$/)
      }
    })
  })
})
