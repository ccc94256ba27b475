/**
 * Strict JSON: a parser that accepts only JSON text every conforming parser, in any language,
 * reads as the same value, within limits on its shape. Tx args go through it (types/tx.ts), so a
 * tx cannot mean one thing to the node and another to a client, and nothing recursive that later
 * walks the value (JSON.stringify, a contract) can exhaust an engine's stack on some nodes only.
 *
 * Iterative (an explicit stack, never recursion): its own depth is bounded by the heap, not the
 * call stack. Refused, each with the rule in the error's `details.rule`:
 *  - syntax: anything outside RFC 8259 (JSON.parse's grammar); a byte order mark; trailing text
 *  - duplicate: a key twice in one object (parsers keep the first, the last, or refuse)
 *  - unicode: a lone surrogate in a string or key, raw or escaped (not valid UTF-8 or UTF-16)
 *  - number: a number that is not finite, is negative zero, has magnitude 2^53 or more (every
 *    such double is an integer beyond the safe range, where parsers disagree), carries more
 *    significant digits than `numberDigitsMax`, or underflows to zero. Within those, every
 *    IEEE-754 parser rounds the text to the same double.
 *  - depth / keys / keyLength / arrayLength / stringLength: a shape limit (`JsonLimits`)
 *  - topLevel: a top-level value that is not an object, when `topLevel: 'object'`.
 * Whitespace between tokens is allowed (it cannot change the value).
 */
import {WichainError, type ErrorCode} from '../errors.js'

export type JsonValue = null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue}
export type JsonObject = {[key: string]: JsonValue}

export interface JsonLimits {
  /** Containers nested at most this deep (the top-level container is depth 1). */
  readonly depthMax: number
  readonly keysMax: number
  readonly keyLengthMax: number
  readonly arrayLengthMax: number
  readonly stringLengthMax: number
  readonly numberDigitsMax: number
}

export type StrictJsonRule = 'syntax' | 'duplicate' | 'unicode' | 'number' | 'depth' | 'keys' | 'keyLength' | 'arrayLength' | 'stringLength' | 'topLevel'

export interface StrictJsonOptions {
  readonly limits: JsonLimits
  /** Names the limits in messages (e.g. "TX_ARGS" → "TX_ARGS_DEPTH_MAX"). */
  readonly limitsName?: string
  /** What is parsed, for messages (e.g. "tx args"). */
  readonly what?: string
  /** Code of the WichainError thrown (default DECODE_ERROR). */
  readonly code?: ErrorCode
  readonly topLevel?: 'object' | 'any'
}

const LIMIT_SUFFIX: Readonly<Record<keyof JsonLimits, string>> = {
  depthMax: 'DEPTH_MAX', keysMax: 'KEYS_MAX', keyLengthMax: 'KEY_LENGTH_MAX', arrayLengthMax: 'ARRAY_LENGTH_MAX',
  stringLengthMax: 'STRING_LENGTH_MAX', numberDigitsMax: 'NUMBER_DIGITS_MAX',
}

/** Characters a string holds as they are: anything but the quote, the backslash and controls. */
const PLAIN_RE = /[^"\\\u0000-\u001f]*/y
/** A number token's parts (the parser has already checked its grammar). */
const NUMBER_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/
const LITERALS: ReadonlyArray<readonly [string, JsonValue]> = [['true', true], ['false', false], ['null', null]]
const ESCAPES: Readonly<Record<string, string>> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}

interface Frame {
  readonly container: JsonValue[] | JsonObject
  /** Key of the value being parsed (objects only). */
  key: string
  /** Keys of the object so far (objects only). */
  keys: number
}

/** Index after the decimal digits starting at `index`. */
function digitsEnd(text: string, index: number): number {
  let end = index
  for (let code = text.charCodeAt(end); code >= 0x30 && code <= 0x39; code = text.charCodeAt(++end));
  return end
}

function isWellFormed(text: string): boolean {
  // Node 20 has String.prototype.isWellFormed; the ES2023 lib typings do not declare it yet.
  return (text as unknown as {isWellFormed(): boolean}).isWellFormed()
}

/** A short, printable quote of user text for a message (lone surrogates come out escaped). */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
}

class Parser {
  private pos = 0
  private readonly stack: Frame[] = []

  constructor(
    private readonly text: string,
    private readonly options: StrictJsonOptions,
  ) {}

  parse(): JsonValue {
    const {text} = this
    if (text.charCodeAt(0) === 0xfeff) this.fail('syntax', 'starts with a byte order mark (U+FEFF)')
    this.skipWhitespace()
    let value = this.value()
    for (;;) {
      const frame = this.stack.at(-1)
      if (frame === undefined) break
      this.add(frame, value)
      this.skipWhitespace()
      const char = text[this.pos]
      const array = Array.isArray(frame.container)
      if (char === ',') {
        this.pos++
        this.skipWhitespace()
        if (!array) this.memberKey(frame)
        value = this.value()
      } else if (char === (array ? ']' : '}')) {
        this.pos++
        this.stack.pop()
        value = frame.container
      } else {
        this.fail('syntax', `expected "," or "${array ? ']' : '}'}"`)
      }
    }
    this.skipWhitespace()
    if (this.pos !== text.length) this.fail('syntax', 'unexpected text after the value')
    if (this.options.topLevel === 'object' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      this.fail('topLevel', 'must be a JSON object at the top level', 0)
    }
    return value
  }

  /**
   * A scalar, or the first element of a container. Returns a complete value; an opened non-empty
   * container is pushed and its first element's value returned (the caller adds it).
   */
  private value(): JsonValue {
    for (;;) {
      const {text} = this
      const char = text[this.pos]
      if (char === '{' || char === '[') {
        const array = char === '['
        if (this.stack.length + 1 > this.options.limits.depthMax) {
          this.fail('depth', `nest deeper than ${this.options.limits.depthMax} levels`, this.pos, 'depthMax')
        }
        this.pos++
        this.skipWhitespace()
        const container: JsonValue[] | JsonObject = array ? [] : {}
        if (text[this.pos] === (array ? ']' : '}')) {
          this.pos++
          return container
        }
        const frame: Frame = {container, key: '', keys: 0}
        this.stack.push(frame)
        if (!array) this.memberKey(frame)
        continue
      }
      if (char === '"') return this.string('stringLengthMax')
      if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number()
      for (const [literal, literalValue] of LITERALS) {
        if (text.startsWith(literal, this.pos)) {
          this.pos += literal.length
          return literalValue
        }
      }
      return this.fail('syntax', char === undefined ? 'unexpected end of text' : `unexpected character ${quote(char)}`)
    }
  }

  /** `"key"` then `:`, leaving the position at the member's value. */
  private memberKey(frame: Frame): void {
    if (this.text[this.pos] !== '"') this.fail('syntax', 'expected a key (a string)')
    const at = this.pos
    const key = this.string('keyLengthMax')
    if (Object.hasOwn(frame.container, key)) this.fail('duplicate', `have the key ${quote(key)} twice in one object`, at)
    const {keysMax} = this.options.limits
    if (frame.keys >= keysMax) this.fail('keys', `have an object with more than ${keysMax} keys`, at, 'keysMax')
    frame.keys++
    frame.key = key
    this.skipWhitespace()
    if (this.text[this.pos] !== ':') this.fail('syntax', 'expected ":" after a key')
    this.pos++
    this.skipWhitespace()
  }

  private add(frame: Frame, value: JsonValue): void {
    const {container} = frame
    if (Array.isArray(container)) {
      const {arrayLengthMax} = this.options.limits
      if (container.length >= arrayLengthMax) this.fail('arrayLength', `have an array longer than ${arrayLengthMax} elements`, this.pos, 'arrayLengthMax')
      container.push(value)
    } else if (frame.key === '__proto__') {
      // What JSON.parse does: an own property, never the prototype.
      Object.defineProperty(container, frame.key, {value, enumerable: true, writable: true, configurable: true})
    } else {
      container[frame.key] = value
    }
  }

  private string(limit: 'stringLengthMax' | 'keyLengthMax'): string {
    const {text} = this
    const start = this.pos
    const max = this.options.limits[limit]
    let value = ''
    this.pos++
    for (;;) {
      // A run of plain characters in one native scan, then what ended it.
      PLAIN_RE.lastIndex = this.pos
      PLAIN_RE.test(text)
      value += text.slice(this.pos, PLAIN_RE.lastIndex)
      this.pos = PLAIN_RE.lastIndex
      const code = text.charCodeAt(this.pos)
      if (code === 0x5c) value += this.escape()
      else if (code !== 0x22) this.fail('syntax', Number.isNaN(code) ? 'unterminated string' : 'has a raw control character in a string (escape it)', Number.isNaN(code) ? start : this.pos)
      if (value.length > max) {
        this.fail(limit === 'keyLengthMax' ? 'keyLength' : 'stringLength', `have a ${limit === 'keyLengthMax' ? 'key' : 'string'} longer than ${max} characters`, start, limit)
      }
      if (code === 0x22) break
    }
    this.pos++
    if (!isWellFormed(value)) this.fail('unicode', `have a string with a lone surrogate (not valid Unicode): ${quote(value)}`, start)
    return value
  }

  /** After a backslash: one escaped code unit. */
  private escape(): string {
    const {text} = this
    const char = text[this.pos + 1]
    if (char === 'u') {
      const hex = text.slice(this.pos + 2, this.pos + 6)
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('syntax', 'has a bad \\u escape')
      this.pos += 6
      return String.fromCharCode(Number.parseInt(hex, 16))
    }
    const escaped = char === undefined ? undefined : ESCAPES[char]
    if (escaped === undefined) this.fail('syntax', 'has a bad escape')
    this.pos += 2
    return escaped
  }

  private number(): number {
    const {text} = this
    const start = this.pos
    let pos = start
    if (text.charCodeAt(pos) === 0x2d) pos++
    const integerStart = pos
    const first = text.charCodeAt(pos)
    if (first === 0x30) pos++
    else if (first >= 0x31 && first <= 0x39) pos = digitsEnd(text, pos)
    else this.fail('syntax', 'has a bad number')
    let plain = true
    if (text.charCodeAt(pos) === 0x2e) {
      const fraction = pos + 1
      pos = digitsEnd(text, fraction)
      if (pos === fraction) this.fail('syntax', 'has a bad number')
      plain = false
    }
    const e = text.charCodeAt(pos)
    if (e === 0x65 || e === 0x45) {
      pos++
      const sign = text.charCodeAt(pos)
      if (sign === 0x2b || sign === 0x2d) pos++
      const exponent = pos
      pos = digitsEnd(text, exponent)
      if (pos === exponent) this.fail('syntax', 'has a bad number')
      plain = false
    }
    this.pos = pos
    const token = text.slice(start, pos)
    const value = Number(token)
    // The common case: an integer of at most 15 digits is safe, and only "-0" is negative zero.
    if (plain && pos - integerStart <= 15 && !(value === 0 && pos - integerStart === 1 && integerStart > start)) return value
    return this.checkNumber(token, start, value)
  }

  /** The number rules (see the file comment) for a token that is not a short integer. */
  private checkNumber(token: string, start: number, value: number): number {
    const match = NUMBER_RE.exec(token)!
    const digits = (match[1]! + (match[2]?.slice(1) ?? '')).replace(/^0+/, '').replace(/0+$/, '')
    const {numberDigitsMax} = this.options.limits
    let problem: string | undefined
    if (!Number.isFinite(value)) problem = 'is out of the range of a double'
    else if (Object.is(value, -0)) problem = 'is negative zero (parsers differ on its sign)'
    else if (Math.abs(value) > Number.MAX_SAFE_INTEGER) problem = 'is beyond ±(2^53-1), where parsers disagree (send it as a string)'
    else if (digits.length > numberDigitsMax) problem = `has more than ${numberDigitsMax} significant digits (more than a double holds)`
    else if (value === 0 && digits.length > 0) problem = 'underflows to zero'
    if (problem !== undefined) this.fail('number', `have the number ${token.length > 40 ? `${token.slice(0, 40)}…` : token}, which ${problem}`, start, problem.startsWith('has more') ? 'numberDigitsMax' : undefined)
    return value
  }

  private skipWhitespace(): void {
    const {text} = this
    for (;;) {
      const code = text.charCodeAt(this.pos)
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return
      this.pos++
    }
  }

  private fail(rule: StrictJsonRule, message: string, offset = this.pos, limit?: keyof JsonLimits): never {
    const {options} = this
    const named = limit !== undefined && options.limitsName !== undefined ? ` (${options.limitsName}_${LIMIT_SUFFIX[limit]})` : ''
    const what = options.what ?? 'JSON'
    const text = rule === 'syntax' ? `${what} are not valid JSON: ${message} at offset ${offset}` : `${what} ${message}${named}, at offset ${offset}`
    throw new WichainError(options.code ?? 'DECODE_ERROR', text, {rule, offset})
  }
}

/** Parse `text` as strict JSON (see the file comment); throws a WichainError naming the rule broken. */
export function parseStrictJson(text: string, options: StrictJsonOptions): JsonValue {
  if (typeof text !== 'string') throw new WichainError(options.code ?? 'DECODE_ERROR', `${options.what ?? 'JSON'} must be JSON text`, {rule: 'syntax', offset: 0})
  return new Parser(text, options).parse()
}

/** The rule a strict-JSON error broke (undefined for any other error). */
export function strictJsonRule(error: unknown): StrictJsonRule | undefined {
  if (!(error instanceof WichainError)) return undefined
  const rule = error.details?.rule
  return typeof rule === 'string' ? (rule as StrictJsonRule) : undefined
}
