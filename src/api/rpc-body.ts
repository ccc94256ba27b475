/**
 * Request bodies of the RPC port: read under a per-request limit and a node-wide cap on bytes
 * buffered at once (slow uploads held open cannot pile up memory), and checked for JSON nesting
 * depth before JSON.parse (a 100k-deep id or param is refused without recursion anywhere).
 */
import type {IncomingMessage} from 'node:http'
import {WichainError} from '../core/errors.js'

/** A node-wide byte allowance: bytes are taken while held and given back when released. */
export class ByteBudget {
  used = 0

  constructor(readonly max: number) {}

  /** Takes `bytes` if the total stays within `ceiling` (at most `max`); false otherwise. */
  tryTake(bytes: number, ceiling = this.max): boolean {
    if (this.used + bytes > Math.min(ceiling, this.max)) return false
    this.used += bytes
    return true
  }

  give(bytes: number): void {
    this.used -= bytes
  }
}

export interface BodyLimits {
  readonly requestBytesMax: number
  readonly smallRequestBytesMax: number
  readonly smallRequestsReservedBytes: number
}

/** Beyond this an oversize body is cut instead of drained: a client that keeps sending is hostile. */
const DRAIN_BYTES_MAX = 64 * 1024 * 1024

/**
 * Reads one body, charging its bytes to `budget` (up front from content-length, else as they
 * arrive); `charge.bytes` says what to give back once the request is done. A body over the
 * per-request limit is drained (not buffered) to its end so the client, still writing, gets the
 * 413 instead of a broken pipe; one that would pass the node-wide cap is refused at once (503).
 */
export function readBody(request: IncomingMessage, limits: BodyLimits, budget: ByteBudget, charge: {bytes: number}): Promise<Buffer> {
  const take = (bytes: number, total: number): boolean => {
    const ceiling = total <= limits.smallRequestBytesMax ? budget.max : budget.max - limits.smallRequestsReservedBytes
    if (!budget.tryTake(bytes, ceiling)) return false
    charge.bytes += bytes
    return true
  }
  const busy = () => new WichainError('UNAVAILABLE', 'the node is buffering too many request bodies; retry later')
  const tooLarge = () => new WichainError('PAYLOAD_TOO_LARGE', `request exceeds ${limits.requestBytesMax} bytes`)
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? Number.NaN)
    const known = Number.isSafeInteger(declared) && declared >= 0
    let oversize = known && declared > limits.requestBytesMax
    if (known && !oversize && !take(declared, declared)) return reject(busy())
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > DRAIN_BYTES_MAX) return void request.destroy()
      if (refused) return
      if (size > limits.requestBytesMax || oversize) {
        oversize = true
        chunks.length = 0
        return
      }
      if (!known && !take(chunk.length, size)) {
        // Refused now (the 503 closes the connection); what still arrives is discarded.
        refused = true
        chunks.length = 0
        return reject(busy())
      }
      chunks.push(chunk)
    })
    request.on('end', () => (oversize ? reject(tooLarge()) : resolve(Buffer.concat(chunks))))
    request.on('error', reject)
    // A destroyed request ends without 'end'; settle anyway (a no-op when already settled).
    request.on('close', () => reject(new WichainError('PAYLOAD_TOO_LARGE', 'request body cut off')))
  })
}

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Refuses JSON nested deeper than `depthMax` (objects and arrays, brackets inside strings not
 * counted) — one pass over the bytes, no recursion, before JSON.parse builds anything. UTF-8
 * continuation bytes are ≥ 0x80, so they never look like brackets or quotes.
 */
export function checkJsonDepth(body: Uint8Array, depthMax: number): void {
  let depth = 0
  let inString = false
  for (let index = 0; index < body.length; index++) {
    const byte = body[index]
    if (inString) {
      if (byte === BACKSLASH) index++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) {
      inString = true
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > depthMax) throw new WichainError('DECODE_ERROR', `JSON nested deeper than ${depthMax} levels`)
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--
    }
  }
}
