/**
 * Length-prefixed frames over a byte stream: u32 big-endian payload length, then the payload.
 * The decoder holds at most one partial frame, so its buffer is bounded by the current maximum
 * frame size plus the 4-byte header. The maximum can change between frames (small during the
 * handshake, large once the peer is authenticated), which is why frames are delivered through a
 * callback: the callback may change the limit before the next header in the same chunk is read.
 */
import {WichainError} from '../errors.js'

export const FRAME_HEADER_BYTES = 4
/** The u32 length field cannot say more than this; also the ceiling for any configured maximum. */
export const FRAME_BYTES_LIMIT = 0xffff_ffff

export function encodeFrameHeader(payloadBytes: number): Buffer {
  checkFrameBytes(payloadBytes)
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  header.writeUInt32BE(payloadBytes, 0)
  return header
}

/** One whole frame (header and payload) in a fresh buffer. */
export function encodeFrame(payload: Uint8Array): Buffer {
  return Buffer.concat([encodeFrameHeader(payload.length), payload])
}

function checkFrameBytes(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > FRAME_BYTES_LIMIT) {
    throw new WichainError('INVALID_ARGUMENT', `frame size must be 1..${FRAME_BYTES_LIMIT} bytes, got ${bytes}`)
  }
}

/** Called once per complete frame; return false to stop decoding the rest of the chunk. */
export type FrameListener = (payload: Uint8Array) => boolean

export class FrameDecoder {
  #frameBytesMax: number
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES)
  #headerFilled = 0
  #body: Buffer | undefined
  #bodyFilled = 0
  #failed = false

  constructor(frameBytesMax: number) {
    checkFrameBytes(frameBytesMax)
    this.#frameBytesMax = frameBytesMax
  }

  get frameBytesMax(): number {
    return this.#frameBytesMax
  }

  setFrameBytesMax(frameBytesMax: number): void {
    checkFrameBytes(frameBytesMax)
    this.#frameBytesMax = frameBytesMax
  }

  /** Bytes held for the frame in progress (header and body). */
  get bufferedBytes(): number {
    return this.#headerFilled + this.#bodyFilled
  }

  /**
   * Feeds a chunk. Throws PAYLOAD_TOO_LARGE for a length above the maximum and DECODE_ERROR for a
   * zero length; after a throw the decoder refuses further input (the stream is out of sync).
   */
  push(chunk: Uint8Array, onFrame: FrameListener): void {
    if (this.#failed) throw new WichainError('DECODE_ERROR', 'frame decoder already failed')
    let offset = 0
    while (offset < chunk.length) {
      if (this.#body === undefined) {
        offset = this.#readHeader(chunk, offset)
        if (this.#headerFilled < FRAME_HEADER_BYTES) return
        const length = this.#header.readUInt32BE(0)
        this.#checkLength(length)
        if (chunk.length - offset >= length) {
          // Whole frame inside this chunk: hand out a view, no copy.
          const payload = chunk.subarray(offset, offset + length)
          offset += length
          this.#headerFilled = 0
          if (!onFrame(payload)) return
          continue
        }
        this.#body = Buffer.allocUnsafe(length)
        this.#bodyFilled = 0
      }
      offset = this.#readBody(chunk, offset)
      if (this.#bodyFilled < this.#body.length) return
      const payload = this.#body
      this.#body = undefined
      this.#bodyFilled = 0
      this.#headerFilled = 0
      if (!onFrame(payload)) return
    }
  }

  #readHeader(chunk: Uint8Array, offset: number): number {
    const take = Math.min(FRAME_HEADER_BYTES - this.#headerFilled, chunk.length - offset)
    this.#header.set(chunk.subarray(offset, offset + take), this.#headerFilled)
    this.#headerFilled += take
    return offset + take
  }

  #readBody(chunk: Uint8Array, offset: number): number {
    const body = this.#body as Buffer
    const take = Math.min(body.length - this.#bodyFilled, chunk.length - offset)
    body.set(chunk.subarray(offset, offset + take), this.#bodyFilled)
    this.#bodyFilled += take
    return offset + take
  }

  #checkLength(length: number): void {
    if (length === 0) {
      this.#failed = true
      throw new WichainError('DECODE_ERROR', 'frame length is zero')
    }
    if (length > this.#frameBytesMax) {
      this.#failed = true
      throw new WichainError('PAYLOAD_TOO_LARGE', `frame length ${length} exceeds the maximum ${this.#frameBytesMax}`, {
        length, frameBytesMax: this.#frameBytesMax,
      })
    }
  }
}
