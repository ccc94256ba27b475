/**
 * Receipts: the outcome of executing one tx. A failed tx is still included in its block (its
 * sender signed it; the failure is the record) with `status: 'failed'` and the reason.
 */
import {toHex} from '../bytes.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readEnum, readRecord, readString, readUint} from '../codec/fields.js'
import {WichainError} from '../errors.js'

export const RECEIPT_LIMITS = Object.freeze({resultBytesMax: 64 * 1024, eventsMax: 64, messageLengthMax: 1024})

export interface ReceiptEvent {
  readonly name: string
  /** JSON text. */
  readonly data: string
}

export interface Receipt {
  readonly txHash: Uint8Array
  readonly status: 'ok' | 'failed'
  /** JSON text of the result ("null" when none). */
  readonly result: string
  readonly error: {readonly code: string; readonly message: string} | null
  readonly gasUsed: number
  readonly events: readonly ReceiptEvent[]
}

const KEYS = ['txHash', 'status', 'result', 'error', 'gasUsed', 'events'] as const

export function createReceipt(fields: Receipt): Receipt {
  return Object.freeze({...fields, events: Object.freeze(fields.events.map((event) => Object.freeze({...event})))})
}

export function receiptToDocument(receipt: Receipt): Record<string, unknown> {
  return {
    txHash: receipt.txHash,
    status: receipt.status,
    result: receipt.result,
    error: receipt.error === null ? null : {code: receipt.error.code, message: receipt.error.message},
    gasUsed: receipt.gasUsed,
    events: receipt.events.map((event) => ({name: event.name, data: event.data})),
  }
}

export function encodeReceipt(receipt: Receipt): Uint8Array {
  return encodeCanonical(receiptToDocument(receipt))
}

function readJsonText(value: unknown, what: string): string {
  const text = readString(value, what, RECEIPT_LIMITS.resultBytesMax)
  try {
    JSON.parse(text)
  } catch {
    throw new WichainError('DECODE_ERROR', `${what}: not JSON text`)
  }
  return text
}

export function receiptFromDocument(document: unknown): Receipt {
  const fields = readRecord(document, 'receipt', KEYS)
  let error: Receipt['error'] = null
  if (fields.error !== null) {
    const errorFields = readRecord(fields.error, 'receipt.error', ['code', 'message'])
    error = {
      code: readString(errorFields.code, 'receipt.error.code', 64),
      message: readString(errorFields.message, 'receipt.error.message', RECEIPT_LIMITS.messageLengthMax),
    }
  }
  const status = readEnum(fields.status, 'receipt.status', ['ok', 'failed'] as const)
  // receiptToJson and every reader rely on: failed ⇔ an error is given.
  if ((status === 'failed') !== (error !== null)) throw new WichainError('DECODE_ERROR', `receipt: status ${status} with error ${error === null ? 'missing' : 'present'}`)
  return createReceipt({
    txHash: readBytes(fields.txHash, 'receipt.txHash', {exact: 32}),
    status,
    result: readJsonText(fields.result, 'receipt.result'),
    error,
    gasUsed: readUint(fields.gasUsed, 'receipt.gasUsed'),
    events: readArray(fields.events, 'receipt.events', RECEIPT_LIMITS.eventsMax).map((event, index) => {
      const eventFields = readRecord(event, `receipt.events[${index}]`, ['name', 'data'])
      return {
        name: readString(eventFields.name, `receipt.events[${index}].name`, 64),
        data: readJsonText(eventFields.data, `receipt.events[${index}].data`),
      }
    }),
  })
}

export function decodeReceipt(bytes: Uint8Array): Receipt {
  return receiptFromDocument(decodeCanonical(bytes, 'receipt'))
}

export function receiptToJson(receipt: Receipt): Record<string, unknown> {
  return {
    txHash: toHex(receipt.txHash),
    status: receipt.status,
    result: JSON.parse(receipt.result) as unknown,
    error: receipt.error,
    gasUsed: receipt.gasUsed,
    events: receipt.events.map((event) => ({name: event.name, data: JSON.parse(event.data) as unknown})),
  }
}
