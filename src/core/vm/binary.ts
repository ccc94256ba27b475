/**
 * Byte-level edits of a WebAssembly module that binaryen's JS API cannot express: setting the
 * memory maximum (binaryen can only replace a memory together with its data) and merging data
 * segments (binaryen.js cannot read segment names back).
 */
import {assert} from '../assert.js'

const MEMORY_SECTION_ID = 5
const DATA_SECTION_ID = 11
const DATA_COUNT_SECTION_ID = 12
const HEADER_BYTES = 8
const LIMITS_HAS_MAXIMUM = 0x01
const I32_CONST = 0x41
const END = 0x0b
const PAGE_BYTES = 64 * 1024

interface Leb {
  readonly value: number
  readonly next: number
}

export function readU32Leb(bytes: Uint8Array, offset: number): Leb {
  let value = 0
  let shift = 0
  for (let position = offset; position < bytes.length && shift < 35; position++) {
    const byte = bytes[position]!
    value += (byte & 0x7f) * 2 ** shift
    shift += 7
    if ((byte & 0x80) === 0) return {value, next: position + 1}
  }
  throw new RangeError(`bad LEB128 at byte ${offset}`)
}

export function readS32Leb(bytes: Uint8Array, offset: number): Leb {
  let value = 0
  let shift = 0
  for (let position = offset; position < bytes.length && shift < 35; position++) {
    const byte = bytes[position]!
    value |= (byte & 0x7f) << shift
    shift += 7
    if ((byte & 0x80) === 0) {
      if (shift < 32 && (byte & 0x40) !== 0) value |= -1 << shift
      return {value: value | 0, next: position + 1}
    }
  }
  throw new RangeError(`bad signed LEB128 at byte ${offset}`)
}

export function encodeS32Leb(value: number): number[] {
  assert(Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff, 'LEB128 value out of i32 range')
  const out: number[] = []
  let rest = value
  for (;;) {
    const byte = rest & 0x7f
    rest >>= 7
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}

export function encodeU32Leb(value: number): number[] {
  assert(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, 'LEB128 value out of u32 range')
  const out: number[] = []
  let rest = value
  do {
    const byte = rest % 128
    rest = Math.floor(rest / 128)
    out.push(rest === 0 ? byte : byte | 0x80)
  } while (rest !== 0)
  return out
}

/** Memory limits of a single 32-bit, unshared memory section payload. */
function rewriteMemoryPayload(payload: Uint8Array, maximumPages: number): Uint8Array {
  const count = readU32Leb(payload, 0)
  assert(count.value === 1, 'module must define exactly one memory')
  const flags = payload[count.next]!
  assert((flags & ~LIMITS_HAS_MAXIMUM) === 0, 'memory must be 32-bit and unshared')
  const initial = readU32Leb(payload, count.next + 1)
  const declared = (flags & LIMITS_HAS_MAXIMUM) !== 0 ? readU32Leb(payload, initial.next).value : maximumPages
  const maximum = Math.min(declared, maximumPages)
  assert(initial.value <= maximum, 'initial memory above the maximum')
  return Uint8Array.from([1, LIMITS_HAS_MAXIMUM, ...encodeU32Leb(initial.value), ...encodeU32Leb(maximum)])
}

interface DataSegment {
  readonly offset: number
  readonly bytes: Uint8Array
}

/** Active segments of memory 0 with `i32.const` offsets, or undefined for any other shape. */
function parseDataSegments(payload: Uint8Array): DataSegment[] | undefined {
  const count = readU32Leb(payload, 0)
  const segments: DataSegment[] = []
  let position = count.next
  for (let index = 0; index < count.value; index++) {
    if (payload[position] !== 0x00 || payload[position + 1] !== I32_CONST) return undefined
    const offset = readS32Leb(payload, position + 2)
    if (payload[offset.next] !== END) return undefined
    const size = readU32Leb(payload, offset.next + 1)
    segments.push({offset: offset.value >>> 0, bytes: payload.subarray(size.next, size.next + size.value)})
    position = size.next + size.value
  }
  return position === payload.length ? segments : undefined
}

/** One segment spanning all of them, gaps zero (memory starts zeroed); later ones overwrite earlier. */
function mergeDataPayload(payload: Uint8Array, spanBytesMax: number): Uint8Array | undefined {
  const segments = parseDataSegments(payload)
  if (segments === undefined || segments.length <= 1) return undefined
  const start = Math.min(...segments.map((segment) => segment.offset))
  const end = Math.max(...segments.map((segment) => segment.offset + segment.bytes.length))
  if (end - start > spanBytesMax) return undefined
  const merged = new Uint8Array(end - start)
  for (const segment of segments) merged.set(segment.bytes, segment.offset - start)
  const header = [1, 0x00, I32_CONST, ...encodeS32Leb(start | 0), END, ...encodeU32Leb(merged.length)]
  return new Uint8Array(Buffer.concat([Uint8Array.from(header), merged]))
}

function section(id: number, payload: Uint8Array): Uint8Array[] {
  return [Uint8Array.from([id, ...encodeU32Leb(payload.length)]), payload]
}

/**
 * Final byte-level touches of instrumented code: cap the memory maximum at `maximumPages`
 * (adding one if the module had none), so memory.grow beyond the limit fails inside the engine;
 * and merge the data segments into one, because V8 pays ~30 µs per active segment on every
 * instantiation (AssemblyScript emits one per static string). Other sections are copied as is.
 */
export function finalizeModule(bytes: Uint8Array, maximumPages: number): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, HEADER_BYTES)]
  let offset = HEADER_BYTES
  let memoryFound = false
  let dataMerged = false
  while (offset < bytes.length) {
    const id = bytes[offset]!
    const size = readU32Leb(bytes, offset + 1)
    const end = size.next + size.value
    assert(end <= bytes.length, 'section runs past the end of the module')
    const payload = bytes.subarray(size.next, end)
    const merged = id === DATA_SECTION_ID ? mergeDataPayload(payload, maximumPages * PAGE_BYTES) : undefined
    if (id === MEMORY_SECTION_ID) {
      parts.push(...section(id, rewriteMemoryPayload(payload, maximumPages)))
      memoryFound = true
    } else if (merged !== undefined) {
      parts.push(...section(id, merged))
      dataMerged = true
    } else {
      parts.push(bytes.subarray(offset, end))
    }
    offset = end
  }
  assert(memoryFound, 'module has no memory section')
  return dataMerged ? fixDataCount(new Uint8Array(Buffer.concat(parts))) : new Uint8Array(Buffer.concat(parts))
}

/** The DataCount section (bulk memory) must match the number of data segments: now one. */
function fixDataCount(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, HEADER_BYTES)]
  let offset = HEADER_BYTES
  while (offset < bytes.length) {
    const id = bytes[offset]!
    const size = readU32Leb(bytes, offset + 1)
    const end = size.next + size.value
    parts.push(...(id === DATA_COUNT_SECTION_ID ? section(id, Uint8Array.from([1])) : [bytes.subarray(offset, end)]))
    offset = end
  }
  return new Uint8Array(Buffer.concat(parts))
}
