// Tiny dependency-free JSON for contracts: a reader for flat objects (nested values are kept as
// raw JSON text) and a writer. Integers only; every malformed input aborts the call.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_INTEGER_DIGITS = 18;

function isSpace(code: i32): bool {
  return code == 0x20 || code == 0x0a || code == 0x0d || code == 0x09;
}

/** Parse a decimal integer ("-12"); aborts on anything else or more than 18 digits. */
export function parseInt64(text: string): i64 {
  const length = text.length;
  let index = 0;
  let negative = false;
  if (length > 0 && text.charCodeAt(0) == MINUS) { negative = true; index = 1; }
  if (index >= length || length - index > MAX_INTEGER_DIGITS) abort("not an integer: " + text);
  let value: i64 = 0;
  for (; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < ZERO || code > NINE) abort("not an integer: " + text);
    value = value * 10 + <i64>(code - ZERO);
  }
  return negative ? -value : value;
}

function hexValue(code: i32): i32 {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/** True when `text` is `length` hex digits (any case). */
export function isHex(text: string, length: i32): bool {
  if (text.length != length) return false;
  for (let i = 0; i < length; i++) if (hexValue(text.charCodeAt(i)) < 0) return false;
  return true;
}

/** JSON string literal for `text`. */
export function quote(text: string): string {
  let out = "\"";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code == QUOTE) out += "\\\"";
    else if (code == BACKSLASH) out += "\\\\";
    else if (code == 0x0a) out += "\\n";
    else if (code == 0x0d) out += "\\r";
    else if (code == 0x09) out += "\\t";
    else if (code < 0x20) out += "\\u00" + "0123456789abcdef".charAt(code >> 4) + "0123456789abcdef".charAt(code & 15);
    else out += String.fromCharCode(code);
  }
  return out + "\"";
}

function unquote(raw: string): string {
  if (raw.length < 2 || raw.charCodeAt(0) != QUOTE) abort("not a JSON string: " + raw);
  let out = "";
  const end = raw.length - 1;
  for (let i = 1; i < end; i++) {
    const code = raw.charCodeAt(i);
    if (code != BACKSLASH) { out += String.fromCharCode(code); continue; }
    i++;
    const escaped = raw.charCodeAt(i);
    if (escaped == 0x6e) out += "\n";
    else if (escaped == 0x72) out += "\r";
    else if (escaped == 0x74) out += "\t";
    else if (escaped == 0x62) out += "\b";
    else if (escaped == 0x66) out += "\f";
    else if (escaped == 0x75) {
      let unit = 0;
      for (let k = 1; k <= 4; k++) {
        const digit = hexValue(raw.charCodeAt(i + k));
        if (digit < 0) abort("bad \\u escape in JSON string");
        unit = (unit << 4) | digit;
      }
      out += String.fromCharCode(unit);
      i += 4;
    } else out += String.fromCharCode(escaped);
  }
  return out;
}

/** A parsed flat JSON object: keys with the raw JSON text of their values. */
export class JsonObject {
  keys: string[] = [];
  raws: string[] = [];
  private text: string = "";
  private index: i32 = 0;

  static parse(text: string): JsonObject {
    const object = new JsonObject();
    object.text = text;
    object.readObject();
    return object;
  }

  private peek(): i32 { return this.index < this.text.length ? this.text.charCodeAt(this.index) : -1; }

  private skipSpace(): void {
    while (this.index < this.text.length && isSpace(this.text.charCodeAt(this.index))) this.index++;
  }

  private expect(code: i32): void {
    this.skipSpace();
    if (this.peek() != code) abort("malformed JSON arguments at offset " + this.index.toString());
    this.index++;
  }

  /** End index (exclusive) of the string starting at `start` (a quote). */
  private stringEnd(start: i32): i32 {
    let i = start + 1;
    while (i < this.text.length) {
      const code = this.text.charCodeAt(i);
      if (code == BACKSLASH) i += 2;
      else if (code == QUOTE) return i + 1;
      else i++;
    }
    abort("unterminated JSON string");
    return i;
  }

  /** Scan one value and return its raw text. */
  private readValue(): string {
    this.skipSpace();
    const start = this.index;
    let depth = 0;
    while (this.index < this.text.length) {
      const code = this.text.charCodeAt(this.index);
      if (code == QUOTE) { this.index = this.stringEnd(this.index); if (depth == 0) break; continue; }
      if (code == 0x7b || code == 0x5b) depth++;
      else if (code == 0x7d || code == 0x5d) { if (depth == 0) break; depth--; }
      else if (code == 0x2c && depth == 0) break;
      this.index++;
    }
    const raw = this.text.substring(start, this.index).trim();
    if (raw.length == 0 || depth != 0) abort("malformed JSON value");
    return raw;
  }

  private readObject(): void {
    this.expect(0x7b);
    this.skipSpace();
    if (this.peek() == 0x7d) { this.index++; return; }
    while (true) {
      this.skipSpace();
      if (this.peek() != QUOTE) abort("JSON object key must be a string");
      const keyEnd = this.stringEnd(this.index);
      const key = unquote(this.text.substring(this.index, keyEnd));
      this.index = keyEnd;
      this.expect(0x3a);
      this.keys.push(key);
      this.raws.push(this.readValue());
      this.skipSpace();
      if (this.peek() == 0x2c) { this.index++; continue; }
      this.expect(0x7d);
      return;
    }
  }

  has(key: string): bool { return this.keys.indexOf(key) >= 0; }

  /** Raw JSON text of the value; aborts when the key is missing. */
  raw(key: string): string {
    const at = this.keys.indexOf(key);
    if (at < 0) abort("missing argument: " + key);
    return this.raws[at];
  }

  getString(key: string): string { return unquote(this.raw(key)); }
  getInt(key: string): i64 { return parseInt64(this.raw(key)); }

  getBool(key: string): bool {
    const raw = this.raw(key);
    if (raw == "true") return true;
    if (raw != "false") abort("not a boolean: " + key);
    return false;
  }

  getStringOr(key: string, fallback: string): string { return this.has(key) ? this.getString(key) : fallback; }
  getIntOr(key: string, fallback: i64): i64 { return this.has(key) ? this.getInt(key) : fallback; }
}

/** Builds a JSON object: `new JsonWriter().str("id", id).int("n", 3).toString()`. */
export class JsonWriter {
  private parts: string[] = [];

  raw(key: string, json: string): JsonWriter { this.parts.push(quote(key) + ":" + json); return this; }
  str(key: string, value: string): JsonWriter { return this.raw(key, quote(value)); }
  int(key: string, value: i64): JsonWriter { return this.raw(key, value.toString()); }
  bool(key: string, value: bool): JsonWriter { return this.raw(key, value ? "true" : "false"); }
  nul(key: string): JsonWriter { return this.raw(key, "null"); }

  toString(): string { return "{" + this.parts.join(",") + "}"; }
}
