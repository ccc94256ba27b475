/**
 * Transactions. A tx body names its chain, sender key, a random nonce and an expiry height
 * (together: replay protection), the target contract/method and JSON args. The tx hash —
 * SM3 of the canonical body bytes — is the on-chain certificate (上链凭证); the SM2 signature
 * (default ID, SM3) covers the same bytes. Built only through these factories; frozen.
 */
import {randomBytes} from 'node:crypto'
import {toHex} from '../bytes.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readBytes, readRecord, readString, readUint} from '../codec/fields.js'
import {parseStrictJson, type JsonLimits, type JsonObject} from '../codec/strict-json.js'
import {fastVerify} from '../crypto/native.js'
import {addressOf, type Signer} from '../crypto/sm2.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'
import {
  TX_ARGS_ARRAY_LENGTH_MAX, TX_ARGS_DEPTH_MAX, TX_ARGS_KEY_LENGTH_MAX, TX_ARGS_KEYS_MAX, TX_ARGS_NUMBER_DIGITS_MAX,
  TX_ARGS_STRING_LENGTH_MAX,
} from '../limits.js'

export const TX_LIMITS = Object.freeze({
  bytesMax: 128 * 1024,
  argsBytesMax: 64 * 1024,
  nameLengthMax: 64,
  chainIdLengthMax: 64,
  nonceBytes: 16,
})

/** Shape limits of tx args (limits.ts, "Tx args (JSON)"). */
export const TX_ARGS_LIMITS: JsonLimits = Object.freeze({
  depthMax: TX_ARGS_DEPTH_MAX,
  keysMax: TX_ARGS_KEYS_MAX,
  keyLengthMax: TX_ARGS_KEY_LENGTH_MAX,
  arrayLengthMax: TX_ARGS_ARRAY_LENGTH_MAX,
  stringLengthMax: TX_ARGS_STRING_LENGTH_MAX,
  numberDigitsMax: TX_ARGS_NUMBER_DIGITS_MAX,
})

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/
export const CHAIN_ID_RE = /^[a-z0-9][a-z0-9_-]*$/

export interface TxBody {
  readonly chainId: string
  /** 65-byte uncompressed SM2 public key of the signer. */
  readonly sender: Uint8Array
  readonly nonce: Uint8Array
  /** Last block height at which the tx may be included. */
  readonly expiry: number
  readonly contract: string
  readonly method: string
  /** JSON text, signed exactly as sent. */
  readonly args: string
  /** Client time in ms since the epoch (informative; ordering comes from blocks). */
  readonly timestamp: number
}

export interface Tx {
  readonly body: TxBody
  readonly signature: Uint8Array
  readonly hash: Uint8Array
  readonly hashHex: string
  readonly senderAddress: string
  /** Canonical bytes of the whole tx (body + signature). */
  readonly bytes: Uint8Array
}

const BODY_KEYS = ['chainId', 'sender', 'nonce', 'expiry', 'contract', 'method', 'args', 'timestamp'] as const

function checkBody(body: TxBody): TxBody {
  const what = 'tx body'
  readString(body.chainId, `${what}.chainId`, TX_LIMITS.chainIdLengthMax)
  if (!CHAIN_ID_RE.test(body.chainId)) throw new WichainError('INVALID_TX', `${what}.chainId "${body.chainId}" is not a valid chain id`)
  readBytes(body.sender, `${what}.sender`, {exact: 65})
  readBytes(body.nonce, `${what}.nonce`, {exact: TX_LIMITS.nonceBytes})
  readUint(body.expiry, `${what}.expiry`)
  readUint(body.timestamp, `${what}.timestamp`)
  for (const field of ['contract', 'method'] as const) {
    const value = readString(body[field], `${what}.${field}`, TX_LIMITS.nameLengthMax)
    if (!NAME_RE.test(value)) throw new WichainError('INVALID_TX', `${what}.${field} "${value}" is not a valid name`)
  }
  readString(body.args, `${what}.args`, TX_LIMITS.argsBytesMax)
  if (Buffer.byteLength(body.args) > TX_LIMITS.argsBytesMax) throw new WichainError('PAYLOAD_TOO_LARGE', 'tx args too large')
  // Decoding stays lenient (any JSON) so blocks committed before the strict rule still read;
  // createTx and the block rules (admission.ts) hold args to parseTxArgs.
  try {
    JSON.parse(body.args)
  } catch {
    throw new WichainError('INVALID_TX', 'tx args are not valid JSON')
  }
  return body
}

/**
 * The value of tx args text, which must be strict JSON (codec/strict-json.ts) with an object at
 * the top level, within TX_ARGS_LIMITS: INVALID_TX naming the rule or limit otherwise. Every
 * node, and a client in any language, reads such args as the same value.
 */
export function parseTxArgs(text: string): JsonObject {
  return parseStrictJson(text, {limits: TX_ARGS_LIMITS, limitsName: 'TX_ARGS', what: 'tx args', code: 'INVALID_TX', topLevel: 'object'}) as JsonObject
}

/** Verdicts of parseTxArgs per built tx: admission, block building and validation ask again. */
const ARGS_VERDICTS = new WeakMap<Tx, WichainError | null>()

/** INVALID_TX unless the tx's args pass parseTxArgs (the verdict is kept with the tx). */
export function checkTxArgs(tx: Tx): void {
  let verdict = ARGS_VERDICTS.get(tx)
  if (verdict === undefined) {
    try {
      parseTxArgs(tx.body.args)
      verdict = null
    } catch (error) {
      if (!(error instanceof WichainError)) throw error
      verdict = error
    }
    ARGS_VERDICTS.set(tx, verdict)
  }
  if (verdict !== null) throw new WichainError(verdict.code, `tx ${tx.hashHex}: ${verdict.message}`, verdict.details)
}

function bodyDocument(body: TxBody): Record<string, unknown> {
  return Object.fromEntries(BODY_KEYS.map((key) => [key, body[key]]))
}

export function encodeTxBody(body: TxBody): Uint8Array {
  return encodeCanonical(bodyDocument(body))
}

/** `canonicalBytes`: the tx's bytes when the caller has just decoded (and so checked) them. */
function build(fields: TxBody, signatureInput: Uint8Array, canonicalBytes?: Uint8Array): Tx {
  // Own copies of the byte fields: a caller reusing its nonce or key buffer must not be able to
  // change a built tx's body after its hash and bytes were computed.
  const body: TxBody = {...fields, sender: new Uint8Array(fields.sender), nonce: new Uint8Array(fields.nonce)}
  const signature = new Uint8Array(signatureInput)
  const bytes = canonicalBytes === undefined ? undefined : new Uint8Array(canonicalBytes)
  const bodyBytes = (bytes !== undefined ? bodySlice(bytes) : undefined) ?? encodeTxBody(body)
  const hash = sm3(bodyBytes)
  const txBytes = bytes ?? encodeCanonical({body: bodyDocument(body), signature})
  if (txBytes.length > TX_LIMITS.bytesMax) throw new WichainError('PAYLOAD_TOO_LARGE', `tx is ${txBytes.length} bytes; limit ${TX_LIMITS.bytesMax}`)
  const tx: Tx = Object.freeze({
    body: Object.freeze(body),
    signature,
    hash,
    hashHex: toHex(hash),
    senderAddress: addressOf(body.sender),
    bytes: txBytes,
  })
  BODY_BYTES.set(tx, bodyBytes)
  return tx
}

/** The signed body bytes of each built tx: verification needs them, and re-encoding costs ~10 µs. */
const BODY_BYTES = new WeakMap<Tx, Uint8Array>()

/**
 * Canonical tx bytes are {body: <body map>, signature: <64 bytes>} with the keys in canonical
 * order, so the body's own canonical encoding is the span between the "body" key (6 bytes in)
 * and the 76-byte signature entry at the end. Undefined if the layout is not that one.
 */
function bodySlice(bytes: Uint8Array): Uint8Array | undefined {
  const tail = bytes.length - SIGNATURE_ENTRY_BYTES
  if (tail <= BODY_OFFSET || bytes[0] !== 0xa2 || bytes[1] !== 0x64 || bytes[tail] !== 0x69 || bytes[tail + 10] !== 0x58 || bytes[tail + 11] !== 0x40) return undefined
  return bytes.subarray(BODY_OFFSET, tail)
}
/** Map header (1) + text header "body" (1 + 4). */
const BODY_OFFSET = 6
/** Text header "signature" (1 + 9) + byte-string header (2) + 64 signature bytes. */
const SIGNATURE_ENTRY_BYTES = 76

export interface TxRequest {
  readonly chainId: string
  readonly contract: string
  readonly method: string
  readonly args?: unknown
  readonly expiry: number
  readonly nonce?: Uint8Array
  readonly timestamp?: number
}

/**
 * Build and sign a tx. `args` may be a JSON value or JSON text; either way the text must pass
 * parseTxArgs (INVALID_TX otherwise), as no node would admit the tx.
 */
export function createTx(request: TxRequest, signer: Signer): Tx {
  const args = typeof request.args === 'string' ? request.args : JSON.stringify(request.args ?? {})
  if (Buffer.byteLength(args) <= TX_LIMITS.argsBytesMax) parseTxArgs(args)
  const body = checkBody({
    chainId: request.chainId,
    sender: signer.publicKey,
    nonce: request.nonce ?? new Uint8Array(randomBytes(TX_LIMITS.nonceBytes)),
    expiry: request.expiry,
    contract: request.contract,
    method: request.method,
    args,
    timestamp: request.timestamp ?? Date.now(),
  })
  return build(body, signer.sign(encodeTxBody(body)))
}

/** Decode a tx from its canonical bytes; checks shape and limits, not the signature. */
export function decodeTx(bytes: Uint8Array): Tx {
  if (!(bytes instanceof Uint8Array)) throw new WichainError('DECODE_ERROR', 'tx: expected bytes')
  if (bytes.length > TX_LIMITS.bytesMax) throw new WichainError('PAYLOAD_TOO_LARGE', `tx is ${bytes.length} bytes; limit ${TX_LIMITS.bytesMax}`)
  // decodeCanonical re-encoded the value and matched these bytes, so they are the tx's bytes.
  return txFromDocument(decodeCanonical(bytes, 'tx'), bytes)
}

export function txFromDocument(document: unknown, canonicalBytes?: Uint8Array): Tx {
  const outer = readRecord(document, 'tx', ['body', 'signature'])
  const fields = readRecord(outer.body, 'tx body', BODY_KEYS)
  const body = checkBody(fields as unknown as TxBody)
  return build(body, readBytes(outer.signature, 'tx signature', {exact: 64}), canonicalBytes)
}

export function txToDocument(tx: Tx): Record<string, unknown> {
  return {body: bodyDocument(tx.body), signature: tx.signature}
}

/** True when the SM2 signature over the canonical body verifies for the sender key. */
export function verifyTxSignature(tx: Tx): boolean {
  return fastVerify(tx.body.sender, BODY_BYTES.get(tx) ?? encodeTxBody(tx.body), tx.signature)
}

/** JSON view of a tx for APIs and the CLI. */
export function txToJson(tx: Tx): Record<string, unknown> {
  return {
    txHash: tx.hashHex,
    chainId: tx.body.chainId,
    sender: toHex(tx.body.sender),
    senderAddress: tx.senderAddress,
    nonce: toHex(tx.body.nonce),
    expiry: tx.body.expiry,
    contract: tx.body.contract,
    method: tx.body.method,
    args: JSON.parse(tx.body.args) as unknown,
    timestamp: tx.body.timestamp,
    signature: toHex(tx.signature),
  }
}
