/**
 * Byte-level edits of a WebAssembly module that binaryen's JS API cannot express: here, setting
 * the maximum of the memory (binaryen can only replace a memory together with its data).
 */
import {assert} from '../assert.js'

const MEMORY_SECTION_ID = 5
const HEADER_BYTES = 8
const LIMITS_HAS_MAXIMUM = 0x01

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

/**
 * Cap the module's memory maximum at `maximumPages` (adding a maximum if it had none), so
 * memory.grow beyond the limit fails inside the engine. Other sections are copied unchanged.
 */
export function capMemoryMaximum(bytes: Uint8Array, maximumPages: number): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, HEADER_BYTES)]
  let offset = HEADER_BYTES
  let found = false
  while (offset < bytes.length) {
    const id = bytes[offset]!
    const size = readU32Leb(bytes, offset + 1)
    const end = size.next + size.value
    assert(end <= bytes.length, 'section runs past the end of the module')
    if (id === MEMORY_SECTION_ID) {
      const payload = rewriteMemoryPayload(bytes.subarray(size.next, end), maximumPages)
      parts.push(Uint8Array.from([id, ...encodeU32Leb(payload.length)]), payload)
      found = true
    } else {
      parts.push(bytes.subarray(offset, end))
    }
    offset = end
  }
  assert(found, 'module has no memory section')
  return new Uint8Array(Buffer.concat(parts))
}
