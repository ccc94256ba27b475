import {expect} from 'chai'
import fc from 'fast-check'
import {jsonDepthWithin, jsonTextDepth} from '../../../../src/core/codec/json-depth.js'
import {parseStrictJson, strictJsonRule, type JsonLimits, type StrictJsonOptions} from '../../../../src/core/codec/strict-json.js'
import {WichainError} from '../../../../src/core/errors.js'
import {TX_ARGS_LIMITS} from '../../../../src/core/types/tx.js'

const LIMITS: JsonLimits = {depthMax: 8, keysMax: 4, keyLengthMax: 8, arrayLengthMax: 5, stringLengthMax: 10, numberDigitsMax: 17}
const OPTIONS: StrictJsonOptions = {limits: LIMITS, limitsName: 'T', what: 'args', code: 'INVALID_TX'}
const WIDE: StrictJsonOptions = {limits: TX_ARGS_LIMITS, what: 'args'}

const parse = (text: string, options: StrictJsonOptions = OPTIONS) => parseStrictJson(text, options)

/** The rule `text` breaks (undefined when it parses). */
function ruleOf(text: string, options: StrictJsonOptions = OPTIONS): string | undefined {
  try {
    parse(text, options)
    return undefined
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    return strictJsonRule(error)
  }
}

describe('core/codec/strict-json', () => {
  it('reads JSON as JSON.parse does, refusing only numbers beyond the safe range (property)', () => {
    const unsafe = (value: unknown): boolean => {
      const pending = [value]
      while (pending.length > 0) {
        const item = pending.pop()
        if (typeof item === 'number' && Math.abs(item) > Number.MAX_SAFE_INTEGER) return true
        if (typeof item === 'object' && item !== null) pending.push(...Object.values(item))
      }
      return false
    }
    fc.assert(
      fc.property(fc.jsonValue({maxDepth: 6}), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent)
        if (unsafe(JSON.parse(text))) expect(ruleOf(text, WIDE)).to.equal('number')
        else expect(parse(text, WIDE)).to.deep.equal(JSON.parse(text))
      }),
      {numRuns: 300},
    )
  })

  it('either refuses text with a WichainError or agrees with JSON.parse (fuzz)', () => {
    const pieces = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'u', 'd800', '0', '-', '1e5', '.', 'true', 'null', ' ', '"k"', '\ud800', '\ufeff')
    const text = fc.oneof(fc.string({unit: 'binary', maxLength: 40}), fc.array(pieces, {maxLength: 30}).map((parts) => parts.join('')))
    fc.assert(
      fc.property(text, (candidate) => {
        let parsed: unknown
        try {
          parsed = parse(candidate, WIDE)
        } catch (error) {
          expect(error).to.be.instanceOf(WichainError)
          return
        }
        expect(parsed).to.deep.equal(JSON.parse(candidate))
      }),
      {numRuns: 300},
    )
  })

  it('keeps "__proto__" as an own key, as JSON.parse does', () => {
    const value = parse('{"__proto__":{"polluted":1}}', WIDE) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).to.equal(Object.prototype)
    expect(Object.keys(value)).to.deep.equal(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined)
  })

  it('refuses a key twice in one object, at any depth, however it is spelled', () => {
    for (const text of ['{"a":1,"a":1}', '{"x":[{"a":1,"b":2,"a":3}]}', '{"a":1,"\\u0061":2}', '[[{"k":{"z":1,"z":1}}]]']) {
      expect(ruleOf(text), text).to.equal('duplicate')
    }
    expect(() => parse('{"a":1,"a":2}')).to.throw(/the key "a" twice.*offset 7/)
    expect(parse('[{"a":1},{"a":2}]')).to.deep.equal([{a: 1}, {a: 2}])
  })

  it('refuses lone surrogates, raw or escaped, and reads pairs', () => {
    for (const text of ['"\\ud800"', '"\\udc00"', '"\\udc00\\ud800"', '"\ud800"', '"a\udfff"', '{"\\ud800":1}']) {
      expect(ruleOf(text), JSON.stringify(text)).to.equal('unicode')
    }
    expect(parse('"\\ud83d\\ude00"')).to.equal('😀')
    expect(parse('"😀\\u4e2d"')).to.equal('😀中')
  })

  it('refuses numbers that parsers read differently, and keeps the ones they agree on', () => {
    for (const text of ['-0', '-0.0', '-0e3', '1e308', '1e400', '-1e400', '9007199254740992', '9007199254740993', '-9007199254740992', '1e-400', '123456789.0123456789', '1.0000000000000000001']) {
      expect(ruleOf(`[${text}]`), text).to.equal('number')
    }
    const agreed: Record<string, number> = {
      '0': 0, '0.0': 0, '9007199254740991': 9007199254740991, '-9007199254740991': -9007199254740991, '0.30000000000000004': 0.1 + 0.2,
      '0.1': 0.1, '1E2': 100, '1e+2': 100, '2.5e-3': 0.0025, '5e-324': 5e-324, '1.50': 1.5, '100000000000000000e-5': 1e12,
    }
    for (const [text, value] of Object.entries(agreed)) expect(parse(`[${text}]`), text).to.deep.equal([value])
  })

  it('refuses a byte order mark, trailing text and everything JSON.parse refuses', () => {
    expect(ruleOf('\ufeff{}')).to.equal('syntax')
    for (const text of ['', ' ', '{', '{"a":1,}', '[1,]', '[01]', '[1.]', '[.5]', '[+1]', "{'a':1}", '[NaN]', '[Infinity]', '{} x', '{"a" 1}', '{a:1}', '["\t"]', '["\\x41"]', '["\\u12"]', 'tru', 'nul', '"open']) {
      expect(ruleOf(text), JSON.stringify(text)).to.equal('syntax')
      expect(() => JSON.parse(text), JSON.stringify(text)).to.throw(SyntaxError)
    }
    expect(parse(' \t\r\n{ "a" : [ 1 , true , null ] } \n')).to.deep.equal({a: [1, true, null]})
  })

  it('holds every shape limit, at the limit and one past it, naming it', () => {
    expect(parse(`${'['.repeat(8)}${']'.repeat(8)}`)).to.be.an('array')
    expect(ruleOf(`${'['.repeat(9)}${']'.repeat(9)}`)).to.equal('depth')
    expect(() => parse(`${'{"a":'.repeat(9)}1${'}'.repeat(9)}`)).to.throw(/nest deeper than 8 levels \(T_DEPTH_MAX\)/)
    expect(Object.keys(parse('{"a":1,"b":2,"c":3,"d":4}') as object)).to.have.length(4)
    expect(() => parse('{"a":1,"b":2,"c":3,"d":4,"e":5}')).to.throw(/more than 4 keys \(T_KEYS_MAX\)/)
    expect(parse('[1,2,3,4,5]')).to.have.length(5)
    expect(() => parse('[1,2,3,4,5,6]')).to.throw(/longer than 5 elements \(T_ARRAY_LENGTH_MAX\)/)
    expect(parse('"0123456789"')).to.have.length(10)
    expect(ruleOf('"0123456789a"')).to.equal('stringLength')
    expect(ruleOf('"012345678\\n"')).to.equal(undefined)
    expect(ruleOf('"0123456789\\n"')).to.equal('stringLength')
    expect(ruleOf('{"12345678":1}')).to.equal(undefined)
    expect(() => parse('{"123456789":1}')).to.throw(/T_KEY_LENGTH_MAX/)
    expect(ruleOf('[1234567890.1234567]')).to.equal(undefined)
    expect(() => parse('[1234567890.12345678]')).to.throw(/more than 17 significant digits.*\(T_NUMBER_DIGITS_MAX\)/)
  })

  it('refuses a top-level value other than an object when asked to', () => {
    for (const text of ['[]', '"a"', '1', 'null', 'true']) expect(ruleOf(text, {...OPTIONS, topLevel: 'object'}), text).to.equal('topLevel')
    expect(parse('{}', {...OPTIONS, topLevel: 'object'})).to.deep.equal({})
  })

  it('fails with the given code on nesting far past the stack, without recursion', () => {
    for (const depth of [4_112, 5_000, 200_000]) {
      const text = `{"meta":${'['.repeat(depth)}${']'.repeat(depth)}}`
      expect(() => parse(text, {...WIDE, code: 'INVALID_TX'})).to.throw(WichainError).with.property('code', 'INVALID_TX')
    }
    const deep = '['.repeat(200_000) + ']'.repeat(200_000)
    expect(parse(deep, {...WIDE, limits: {...TX_ARGS_LIMITS, depthMax: 300_000}})).to.be.an('array')
    expect(ruleOf('x'.repeat(10))).to.equal('syntax')
    expect(() => parse('[', {limits: LIMITS})).to.throw(WichainError).with.property('code', 'DECODE_ERROR')
  })

  it('measures depth of values and of text without recursion', () => {
    let value: unknown = 1
    for (let index = 0; index < 100_000; index++) value = [value]
    expect(jsonDepthWithin(value, 100_000)).to.equal(true)
    expect(jsonDepthWithin(value, 99_999)).to.equal(false)
    expect(jsonDepthWithin({a: [{}], b: 1}, 3)).to.equal(true)
    expect(jsonDepthWithin({a: [{}], b: 1}, 2)).to.equal(false)
    expect(jsonDepthWithin('text', 0)).to.equal(true)
    expect(jsonTextDepth('{"a":[{}],"b":"[[[[\\"["}')).to.equal(3)
    expect(jsonTextDepth('1')).to.equal(0)
  })
})
