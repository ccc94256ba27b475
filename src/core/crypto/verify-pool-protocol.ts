/**
 * What VerifyPool and its worker threads (verify-worker.ts) share: how a thread starts, the
 * messages, and the packing of a task: one ArrayBuffer, transferred (not copied) to the worker,
 * holding `count` records of
 *   u32 message length (big-endian) || 65-byte public key || 64-byte signature || message.
 * Only well-formed items are packed (the pool answers false for the rest itself), so the
 * worker's verify() sees exactly what sm2.ts verify() would have been given.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'
import {WichainError} from '../errors.js'
import type {SignedMessage} from './native.js'

export const PACKED_PUBLIC_KEY_BYTES = 65
export const PACKED_SIGNATURE_BYTES = 64
const LENGTH_BYTES = 4
const RECORD_FIXED_BYTES = LENGTH_BYTES + PACKED_PUBLIC_KEY_BYTES + PACKED_SIGNATURE_BYTES

/** Main thread → worker. */
export interface VerifyTaskMessage {
  readonly id: number
  readonly buffer: ArrayBuffer
  readonly count: number
}

/** Worker → main thread: one 0/1 byte per record, in order. */
export interface VerifyReplyMessage {
  readonly kind: 'reply'
  readonly id: number
  readonly results: Uint8Array
}

/** Worker → main thread, once its modules have loaded: which verify path it runs. */
export interface VerifyReadyMessage {
  readonly kind: 'ready'
  readonly native: boolean
}

export type VerifyWorkerMessage = VerifyReplyMessage | VerifyReadyMessage

/** Node 20 workers do not inherit tsx's hooks: under TypeScript sources, register tsx in the thread first. */
const TYPESCRIPT_BOOTSTRAP = `
const {workerData} = require('node:worker_threads');
(async () => {
  if (workerData.tsxApi !== undefined) (await import(workerData.tsxApi)).register();
  await import(workerData.entry);
})().catch((error) => process.nextTick(() => { throw error }));
`

/** The worker: verify-worker.js next to this file, or verify-worker.ts when running from sources. */
export function startVerifyWorker(): Worker {
  const self = import.meta.url
  if (!self.endsWith('.ts')) return new Worker(new URL('./verify-worker.js', self))
  const entry = new URL('./verify-worker.ts', self).href
  return new Worker(TYPESCRIPT_BOOTSTRAP, {eval: true, workerData: {entry, tsxApi: tsxEsmApi(self)}})
}

/**
 * The ESM build of `tsx/esm/api` (its CommonJS build cannot register from a worker), found
 * through tsx's package.json: import.meta.resolve is missing when tsx loads this file as
 * CommonJS (as under mocha). Undefined without tsx: another TypeScript runtime must reach workers itself.
 */
function tsxEsmApi(from: string): string | undefined {
  try {
    const manifestPath = createRequire(from).resolve('tsx/package.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {exports?: Record<string, {import?: {default?: unknown}}>}
    const target = manifest.exports?.['./esm/api']?.import?.default
    return typeof target === 'string' ? new URL(target, pathToFileURL(manifestPath)).href : undefined
  } catch {
    return undefined
  }
}

function isBytes(value: unknown, length?: number): value is Uint8Array {
  return value instanceof Uint8Array && (length === undefined || value.length === length)
}

/** The shape sm2.ts verify() requires before it looks at the values; anything else is false. */
export function isWellFormed(item: unknown): item is SignedMessage {
  if (typeof item !== 'object' || item === null) return false
  const candidate = item as Partial<Record<keyof SignedMessage, unknown>>
  return isBytes(candidate.publicKey, PACKED_PUBLIC_KEY_BYTES) && isBytes(candidate.signature, PACKED_SIGNATURE_BYTES) &&
    isBytes(candidate.message)
}

export function packedBytes(item: SignedMessage): number {
  return RECORD_FIXED_BYTES + item.message.length
}

/** Packs `items` (all well-formed) into one transferable buffer of `totalBytes` (sum of packedBytes). */
export function packSignedMessages(items: readonly SignedMessage[], totalBytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(totalBytes)
  const bytes = new Uint8Array(buffer)
  const view = new DataView(buffer)
  let offset = 0
  for (const item of items) {
    view.setUint32(offset, item.message.length)
    bytes.set(item.publicKey, offset + LENGTH_BYTES)
    bytes.set(item.signature, offset + LENGTH_BYTES + PACKED_PUBLIC_KEY_BYTES)
    bytes.set(item.message, offset + RECORD_FIXED_BYTES)
    offset += RECORD_FIXED_BYTES + item.message.length
  }
  if (offset !== totalBytes) throw new WichainError('INTERNAL', 'packed verify task has the wrong size')
  return buffer
}

/** Views (no copies) onto the records of a packed buffer; DECODE_ERROR if it does not hold exactly `count`. */
export function unpackSignedMessages(buffer: ArrayBuffer, count: number): SignedMessage[] {
  const view = new DataView(buffer)
  const items: SignedMessage[] = []
  let offset = 0
  for (let index = 0; index < count; index++) {
    if (offset + RECORD_FIXED_BYTES > buffer.byteLength) throw new WichainError('DECODE_ERROR', 'packed verify task is truncated')
    const messageBytes = view.getUint32(offset)
    const end = offset + RECORD_FIXED_BYTES + messageBytes
    if (end > buffer.byteLength) throw new WichainError('DECODE_ERROR', 'packed verify task is truncated')
    items.push({
      publicKey: new Uint8Array(buffer, offset + LENGTH_BYTES, PACKED_PUBLIC_KEY_BYTES),
      signature: new Uint8Array(buffer, offset + LENGTH_BYTES + PACKED_PUBLIC_KEY_BYTES, PACKED_SIGNATURE_BYTES),
      message: new Uint8Array(buffer, offset + RECORD_FIXED_BYTES, messageBytes),
    })
    offset = end
  }
  if (offset !== buffer.byteLength) throw new WichainError('DECODE_ERROR', 'packed verify task has trailing bytes')
  return items
}
