import {expect} from 'chai'
import fc from 'fast-check'
import {fromHex, toHex} from '../../../../src/core/bytes.js'
import {CANONICAL_DOCUMENT_BYTES_MAX, decodeCanonical, encodeCanonical} from '../../../../src/core/codec/canonical.js'
import {WichainError} from '../../../../src/core/errors.js'

function expectCode(action: () => unknown, code: string): void {
  expect(action).to.throw(WichainError).with.property('code', code)
}

/**
 * JSON-like values plus byte strings: everything our documents are made of. -0 is left out on
 * purpose: it encodes like 0 (as in JSON), so it cannot come back as -0.
 */
const valueArbitrary = fc.letrec((tie) => ({
  value: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.double({noNaN: true, noDefaultInfinity: true}).filter((number) => !Object.is(number, -0)),
    fc.string({unit: 'grapheme', maxLength: 12}),
    fc.uint8Array({maxLength: 24}),
    fc.array(tie('value'), {maxLength: 5}),
    fc.dictionary(fc.string({unit: 'grapheme', maxLength: 8}).filter((key) => key !== '__proto__'), tie('value'), {maxKeys: 6}),
  ),
})).value

/** Deep copy with map keys inserted in another order and byte strings moved to other buffers. */
function reshuffled(value: unknown, random: () => number): unknown {
  if (value instanceof Uint8Array) {
    // A view with a non-zero offset into a larger buffer: only the viewed bytes may count.
    const backing = new Uint8Array(value.length + 7).fill(0xee)
    backing.set(value, 3)
    return backing.subarray(3, 3 + value.length)
  }
  if (Array.isArray(value)) return value.map((entry) => reshuffled(entry, random))
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, entry]) => ({key, entry, order: random()}))
    entries.sort((a, b) => a.order - b.order)
    return Object.fromEntries(entries.map(({key, entry}) => [key, reshuffled(entry, random)]))
  }
  return value
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

const PROPERTY = {numRuns: 400, seed: 20240601}

describe('core/codec/canonical', () => {
  describe('encoding', () => {
    it('gives the same bytes for the same value, whatever the key insertion order or buffer layout', () => {
      fc.assert(
        fc.property(valueArbitrary, fc.integer(), (value, seed) => {
          const bytes = encodeCanonical(value)
          expect(toHex(encodeCanonical(reshuffled(value, seededRandom(seed))))).to.equal(toHex(bytes))
          expect(toHex(encodeCanonical(value))).to.equal(toHex(bytes))
        }),
        PROPERTY,
      )
    })

    it('decodes back to a deep-equal value', () => {
      fc.assert(
        fc.property(valueArbitrary, (value) => {
          expect(decodeCanonical(encodeCanonical(value), 'value')).to.deep.equal(value)
        }),
        PROPERTY,
      )
    })

    it('gives different values different bytes', () => {
      fc.assert(
        fc.property(valueArbitrary, valueArbitrary, (a, b) => {
          const same = toHex(encodeCanonical(a)) === toHex(encodeCanonical(b))
          let equal = true
          try {
            expect(a).to.deep.equal(b)
          } catch {
            equal = false
          }
          expect(same).to.equal(equal)
        }),
        PROPERTY,
      )
    })

    it('sorts map keys length first, then bytewise (RFC 7049 canonical)', () => {
      expect(toHex(encodeCanonical({bb: 1, a: 2, c: 3}))).to.equal('a361610261630362626201')
      expect(toHex(encodeCanonical({aa: 1, b: 2}))).to.equal('a261620262616101')
    })

    it('uses the shortest integer and float forms', () => {
      expect(toHex(encodeCanonical(23))).to.equal('17')
      expect(toHex(encodeCanonical(24))).to.equal('1818')
      expect(toHex(encodeCanonical(256))).to.equal('190100')
      expect(toHex(encodeCanonical(-1))).to.equal('20')
      expect(toHex(encodeCanonical(1.5))).to.equal('f93e00')
      expect(toHex(encodeCanonical(0.1))).to.equal('fb3fb999999999999a')
    })

    it('refuses values that would not decode back to themselves', () => {
      const circular: Record<string, unknown> = {}
      circular.self = circular
      const refused: Array<[string, unknown]> = [
        ['undefined', undefined],
        ['undefined field', {a: undefined}],
        ['array hole', [1, undefined, 3]],
        ['NaN', NaN],
        ['Infinity', Infinity],
        ['-Infinity', {x: -Infinity}],
        ['bigint', 5n],
        ['lone high surrogate', 'a\ud800'],
        ['lone low surrogate', '\udc00b'],
        ['lone surrogate key', {'\ud800': 1}],
        ['Map', new Map([['a', 1]])],
        ['Float32Array', new Float32Array(2)],
        ['Uint16Array', new Uint16Array(2)],
        ['DataView', new DataView(new ArrayBuffer(2))],
        ['ArrayBuffer', new ArrayBuffer(2)],
        ['Date', new Date(0)],
        ['Set', new Set([1])],
        ['symbol', Symbol('x')],
        ['function', () => 1],
        ['circular', circular],
      ]
      for (const [name, value] of refused) {
        expect(() => encodeCanonical(value), name).to.throw(WichainError).with.property('code', 'INVALID_ARGUMENT')
      }
    })

    it('accepts well-formed non-BMP text and Buffers', () => {
      expect(decodeCanonical(encodeCanonical('工伤 😀'), 'text')).to.equal('工伤 😀')
      expect(toHex(encodeCanonical(Buffer.from([1, 2])))).to.equal(toHex(encodeCanonical(new Uint8Array([1, 2]))))
    })
  })

  describe('decoding refuses non-canonical input with DECODE_ERROR', () => {
    const cases: Array<[string, string]> = [
      ['empty input', ''],
      ['unsorted map keys', 'a2616202616101'],
      ['keys sorted bytewise instead of length first', 'a262616101616202'],
      ['duplicate map keys', 'a2616101616102'],
      ['non-minimal integer (1 in one extra byte)', '1801'],
      ['non-minimal integer (1 in two bytes)', '190001'],
      ['non-minimal integer (1 in four bytes)', '1a00000001'],
      ['non-minimal integer (1 in eight bytes)', '1b0000000000000001'],
      ['non-minimal negative integer', '3800'],
      ['non-minimal string length', '780161'],
      ['non-minimal array length', '980101'],
      ['indefinite array', '9f01ff'],
      ['indefinite map', 'bf616101ff'],
      ['indefinite byte string', '5f4101ff'],
      ['indefinite text string', '7f6161ff'],
      ['trailing bytes', '0102'],
      ['trailing bytes after a map', 'a000'],
      ['undefined', 'f7'],
      ['NaN', 'f97e00'],
      ['Infinity', 'f97c00'],
      ['-Infinity', 'f9fc00'],
      ['float64 where float16 suffices', 'fb3ff8000000000000'],
      ['float32 where float16 suffices', 'fa3fc00000'],
      ['integer written as a float', 'f93c00'],
      ['integer beyond the safe range', '1b0020000000000001'],
      ['tag', 'c11a514b67b0'],
      ['simple value', 'f0'],
      ['non-string map key', 'a10102'],
      ['invalid UTF-8', '61ff'],
      ['truncated', '6461626364'.slice(0, 6)],
      ['break without start', 'ff'],
    ]
    for (const [name, hex] of cases) {
      it(name, () => expectCode(() => decodeCanonical(fromHex(hex), name), 'DECODE_ERROR'))
    }

    it('names the document in the message', () => {
      expect(() => decodeCanonical(fromHex('0102'), 'block header')).to.throw(/^block header: /)
    })

    it('refuses input that is not bytes', () => {
      for (const junk of [null, undefined, 'a0', [0xa0], {}]) {
        expectCode(() => decodeCanonical(junk as unknown as Uint8Array, 'junk'), 'DECODE_ERROR')
      }
    })
  })

  it('refuses documents over the size limit with PAYLOAD_TOO_LARGE before parsing', () => {
    expectCode(() => decodeCanonical(new Uint8Array(CANONICAL_DOCUMENT_BYTES_MAX + 1), 'big'), 'PAYLOAD_TOO_LARGE')
  })

  it('returns copies: later changes to the input do not reach decoded values', () => {
    const bytes = encodeCanonical({a: new Uint8Array([1, 2, 3])})
    const value = decodeCanonical(bytes, 'doc') as {a: Uint8Array}
    bytes[bytes.length - 1] = 9
    expect([...value.a]).to.deep.equal([1, 2, 3])
  })

  describe('fuzz', () => {
    function onlyWichainErrors(bytes: Uint8Array): void {
      try {
        decodeCanonical(bytes, 'fuzz')
      } catch (error) {
        expect(error).to.be.instanceOf(WichainError)
        expect((error as WichainError).code).to.be.oneOf(['DECODE_ERROR', 'PAYLOAD_TOO_LARGE'])
      }
    }

    it('random bytes never raise anything but WichainError', () => {
      fc.assert(fc.property(fc.uint8Array({maxLength: 48}), onlyWichainErrors), {numRuns: 3000, seed: 7})
    })

    it('mutated valid encodings never raise anything but WichainError, and what decodes is canonical', () => {
      fc.assert(
        fc.property(valueArbitrary, fc.nat(), fc.integer({min: 0, max: 255}), (value, position, byte) => {
          const bytes = encodeCanonical(value)
          const mutated = new Uint8Array(bytes)
          mutated[position % mutated.length] = byte
          onlyWichainErrors(mutated)
          onlyWichainErrors(mutated.subarray(0, position % mutated.length))
          let decoded: unknown
          try {
            decoded = decodeCanonical(mutated, 'fuzz')
          } catch {
            return
          }
          expect(toHex(encodeCanonical(decoded))).to.equal(toHex(mutated))
        }),
        {numRuns: 1000, seed: 11},
      )
    })
  })
})
