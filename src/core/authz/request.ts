/**
 * Signed HTTP requests: how an account proves who it is to a node's RPC port (reads and node
 * operations need an identity; loopback is no authority). The client signs, with its SM2 key, the
 * canonical CBOR of
 *
 *   {domain: REQUEST_SIGNATURE_DOMAIN, method, path, host, bodyDigest: hex SM3(raw body), timestamp, nonce}
 *
 * and sends four headers (REQUEST_HEADERS): the public key, the timestamp (ms since the epoch),
 * the nonce (16 random bytes, hex) and the signature (hex). The node checks the signature over
 * the request it received (its method, path with query, Host header and body), that the timestamp
 * is within `skewMs` of its clock, and that the nonce was not used inside that window
 * (`NonceCache`). Pure: the clock and the randomness are the caller's.
 */
import {fromHex, toHex} from '../bytes.js'
import {encodeCanonical} from '../codec/canonical.js'
import {addressOf, sm3, verify, type Signer} from '../crypto/index.js'
import {WichainError} from '../errors.js'

/** Separates these signatures from every other SM2 signature a key makes (txs, votes, manifests). */
export const REQUEST_SIGNATURE_DOMAIN = 'wichain-rpc-request/1'
export const REQUEST_NONCE_BYTES = 16

export const REQUEST_HEADERS = Object.freeze({
  key: 'x-wichain-key',
  timestamp: 'x-wichain-timestamp',
  nonce: 'x-wichain-nonce',
  signature: 'x-wichain-signature',
})

/** What a signature covers, as the client sends it and the node receives it. */
export interface HttpRequestParts {
  /** HTTP method, e.g. POST (upper-cased before signing). */
  readonly method: string
  /** Path with query, e.g. `/` or `/metrics`. */
  readonly path: string
  /** The Host header (`127.0.0.1:26600`). */
  readonly host: string
  readonly body: Uint8Array
}

export interface SignedRequestHeaders {
  readonly publicKey: Uint8Array
  readonly timestamp: number
  readonly nonce: string
  readonly signature: Uint8Array
}

export function requestSignBytes(request: HttpRequestParts, timestamp: number, nonce: string): Uint8Array {
  return encodeCanonical({
    domain: REQUEST_SIGNATURE_DOMAIN,
    method: request.method.toUpperCase(),
    path: request.path,
    host: request.host.toLowerCase(),
    bodyDigest: toHex(sm3(request.body)),
    timestamp,
    nonce,
  })
}

/** The headers that sign `request` as `signer` at `timestamp` with `nonce` (REQUEST_NONCE_BYTES random bytes). */
export function signRequest(signer: Signer, request: HttpRequestParts, timestamp: number, nonce: Uint8Array): Record<string, string> {
  if (nonce.length !== REQUEST_NONCE_BYTES) throw new Error(`assertion: a request nonce is ${REQUEST_NONCE_BYTES} bytes`)
  const nonceHex = toHex(nonce)
  return {
    [REQUEST_HEADERS.key]: toHex(signer.publicKey),
    [REQUEST_HEADERS.timestamp]: String(timestamp),
    [REQUEST_HEADERS.nonce]: nonceHex,
    [REQUEST_HEADERS.signature]: toHex(signer.sign(requestSignBytes(request, timestamp, nonceHex))),
  }
}

type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw refused(`header ${name} is given more than once`)
  return value
}

function refused(why: string): WichainError {
  return new WichainError('UNAUTHORIZED', `the request signature is malformed: ${why}`, {reason: 'malformed-signature'})
}

/**
 * The signature headers of a request (names lower-case, as node:http gives them); undefined
 * when none is present (an unsigned request), UNAUTHORIZED when some are missing or malformed.
 */
export function readRequestHeaders(headers: HeaderBag): SignedRequestHeaders | undefined {
  const values = Object.values(REQUEST_HEADERS).map((name) => single(headers, name))
  if (values.every((value) => value === undefined)) return undefined
  const [key, timestamp, nonce, signature] = values
  if (key === undefined || timestamp === undefined || nonce === undefined || signature === undefined) {
    throw refused(`give all of ${Object.values(REQUEST_HEADERS).join(', ')}`)
  }
  if (!/^[0-9a-f]{130}$/i.test(key)) throw refused(`${REQUEST_HEADERS.key} must be a 65-byte public key in hex`)
  if (!/^\d{1,16}$/.test(timestamp) || !Number.isSafeInteger(Number(timestamp))) throw refused(`${REQUEST_HEADERS.timestamp} must be milliseconds since the epoch`)
  if (!new RegExp(`^[0-9a-f]{${2 * REQUEST_NONCE_BYTES}}$`).test(nonce)) throw refused(`${REQUEST_HEADERS.nonce} must be ${REQUEST_NONCE_BYTES} bytes in lower-case hex`)
  if (!/^[0-9a-f]{2,256}$/i.test(signature) || signature.length % 2 !== 0) throw refused(`${REQUEST_HEADERS.signature} must be hex`)
  return {publicKey: fromHex(key.toLowerCase()), timestamp: Number(timestamp), nonce, signature: fromHex(signature.toLowerCase())}
}

/**
 * Nonces seen inside the window, each kept until its timestamp is `skewMs` in the past. Bounded:
 * when full of live nonces, a new one is refused (UNAVAILABLE) rather than evicting one that a
 * replay could then reuse.
 */
export class NonceCache {
  private readonly expiries = new Map<string, number>()

  constructor(
    readonly skewMs: number,
    readonly entriesMax: number,
  ) {}

  get size(): number {
    return this.expiries.size
  }

  /** Records `nonce`; false when it is already known (a replay). */
  remember(nonce: string, timestamp: number, nowMs: number): boolean {
    const expiry = this.expiries.get(nonce)
    if (expiry !== undefined && expiry >= nowMs) return false
    if (this.expiries.size >= this.entriesMax) this.sweep(nowMs)
    if (this.expiries.size >= this.entriesMax) {
      throw new WichainError('UNAVAILABLE', `too many signed requests within ${this.skewMs} ms; retry later`, {noncesMax: this.entriesMax})
    }
    this.expiries.set(nonce, timestamp + this.skewMs)
    return true
  }

  private sweep(nowMs: number): void {
    for (const [nonce, expiry] of this.expiries) if (expiry < nowMs) this.expiries.delete(nonce)
  }
}

export interface VerifiedRequest {
  readonly publicKey: string
  readonly address: string
}

/**
 * Checks a signed request in order: the signature over what was received (UNAUTHORIZED), the
 * timestamp within `skewMs` of `nowMs` (REQUEST_EXPIRED), the nonce unused (REQUEST_REPLAYED).
 * The nonce is recorded only for a valid, fresh signature, so forged requests cannot fill the cache.
 */
export function verifySignedRequest(signed: SignedRequestHeaders, request: HttpRequestParts, nowMs: number, nonces: NonceCache): VerifiedRequest {
  let address: string
  try {
    address = addressOf(signed.publicKey)
  } catch {
    throw refused(`${REQUEST_HEADERS.key} is not a valid SM2 public key`)
  }
  if (!verify(signed.publicKey, requestSignBytes(request, signed.timestamp, signed.nonce), signed.signature)) {
    throw new WichainError('UNAUTHORIZED', `the request signature of ${address} does not verify (the request was altered, or signed for another host or path)`, {reason: 'bad-signature', signer: address})
  }
  if (Math.abs(nowMs - signed.timestamp) > nonces.skewMs) {
    throw new WichainError('REQUEST_EXPIRED', `the signed request is ${Math.round((nowMs - signed.timestamp) / 1000)} s off the node's clock (at most ${nonces.skewMs / 1000} s either way)`, {
      timestamp: signed.timestamp,
      nodeTime: nowMs,
      skewMsMax: nonces.skewMs,
    })
  }
  if (!nonces.remember(signed.nonce, signed.timestamp, nowMs)) {
    throw new WichainError('REQUEST_REPLAYED', `the signed request's nonce ${signed.nonce} was already used`, {nonce: signed.nonce, signer: address})
  }
  return {publicKey: toHex(signed.publicKey), address}
}
