/**
 * Node-to-node handshake: mutual authentication and key agreement over SM2/SM3/SM4, a simplified
 * Noise-XX / STS. A pure state machine (no sockets, no timers): feed it handshake frames, send
 * what it returns. Protocol `wichain-p2p/1`:
 *
 *   1. I → R  helloI = {version, networkId, static key S_I, fresh ephemeral key E_I, nonce N_I}
 *   2. R → I  helloR = {version, networkId, S_R, E_R, N_R}       (R first checks helloI: version,
 *             authR  = SM2-Sign(S_R, "wichain-p2p/1 responder" ‖ TH)   network id, S_I allowed)
 *   3. I → R  authI  = SM2-Sign(S_I, "wichain-p2p/1 initiator" ‖ TH)   (after checking helloR and
 *                                                                       verifying authR)
 *   TH   = SM3("wichain-p2p/1 transcript" ‖ u16 len ‖ helloI ‖ u16 len ‖ helloR)
 *   keys = SM3-KDF(ECDH(E_I, E_R).x ‖ TH, 128 bytes)  (GB/T 32918.4 KDF) split into, per
 *          direction, SM4 key[16] ‖ SM4-CTR initial counter[16] ‖ HMAC-SM3 key[32]; I→R first.
 *
 * Why each piece: the signatures prove possession of the static keys and, because TH contains
 * both ephemeral keys and nonces, bind this session to them (a recorded hello or signature is
 * useless in another session); the role labels stop a signature being reflected back; fresh
 * ephemerals give forward secrecy; the static key must pass `isAllowed` (the run-time allowed
 * node list) and the network id must match on both sides. The initiator also checks that S_R is
 * the key it meant to dial. Any refusal sends `reject` (reason text, for the peer's logs only)
 * and the connection closes. After the handshake every frame is encrypt-then-MAC (secure-channel.ts).
 */
import {randomBytes as nodeRandomBytes} from 'node:crypto'
import {concatBytes, toHex, utf8} from '../bytes.js'
import {WichainError} from '../errors.js'
import {ecdh, generateKeyPair, type KeyPair, type Signer, sm3, verify} from '../crypto/index.js'
import {
  decodeHandshakeMessage, encodeAuth, encodeHello, type Hello, NONCE_BYTES, networkIdBytes,
} from './handshake-messages.js'
import {sm3Kdf} from './kdf.js'
import {type SessionKeys, splitSessionKeys, SESSION_KEY_MATERIAL_BYTES} from './secure-channel.js'

export const PROTOCOL_VERSION = 1
const LABEL = 'wichain-p2p/1'
const TRANSCRIPT_LABEL = utf8(`${LABEL} transcript`)
const ROLE_LABELS = {initiator: utf8(`${LABEL} initiator`), responder: utf8(`${LABEL} responder`)} as const

export type Role = 'initiator' | 'responder'
export type IsAllowed = (publicKeyHex: string, networkId: string) => boolean

export interface HandshakeOptions {
  /** The node's static key (createSigner checks the pair once; reuse one signer for all connections). */
  readonly signer: Signer
  readonly networkId: string
  readonly isAllowed: IsAllowed
  /** Initiator only: the static key listed for the address we dialled. */
  readonly expectedRemoteKeyHex?: string
  /** Injected for deterministic tests; default node:crypto. */
  readonly randomBytes?: (length: number) => Uint8Array
  readonly generateEphemeral?: () => KeyPair
}

export interface HandshakeResult {
  readonly remoteKey: Uint8Array
  readonly remoteKeyHex: string
  readonly initiatorKeyHex: string
  readonly transcriptHash: Uint8Array
  readonly keys: SessionKeys
}

export interface HandshakeStep {
  readonly outgoing: readonly Uint8Array[]
  readonly result?: HandshakeResult
}

type State = 'start' | 'wait-hello' | 'wait-auth' | 'done' | 'failed'

/** A refusal: a policy decision about the peer (reason goes into the reject message). */
function refused(reason: string, details: Record<string, unknown> = {}): WichainError {
  return new WichainError('PEER_REFUSED', `peer refused: ${reason}`, {reason, ...details})
}

function failed(reason: string, cause?: unknown): WichainError {
  return new WichainError('HANDSHAKE_FAILED', `handshake failed: ${reason}`, {reason}, {cause})
}

function transcriptHash(helloInitiator: Uint8Array, helloResponder: Uint8Array): Uint8Array {
  const lengths = Buffer.alloc(4)
  lengths.writeUInt16BE(helloInitiator.length, 0)
  lengths.writeUInt16BE(helloResponder.length, 2)
  return sm3(TRANSCRIPT_LABEL, lengths.subarray(0, 2), helloInitiator, lengths.subarray(2), helloResponder)
}

export class Handshake {
  readonly role: Role
  readonly #options: HandshakeOptions
  readonly #signer: Signer
  #ephemeral: KeyPair | undefined
  #hello: Uint8Array | undefined
  #state: State = 'start'
  #remoteHello: Hello | undefined
  #transcript: Uint8Array | undefined

  constructor(role: Role, options: HandshakeOptions) {
    this.role = role
    this.#options = options
    this.#signer = options.signer
    networkIdBytes(options.networkId)
  }

  /**
   * Our hello, made on first use: the responder makes it only after the initiator's hello passed
   * its checks, so an unlisted client costs no key generation.
   */
  #ownHello(): Uint8Array {
    if (this.#hello !== undefined) return this.#hello
    this.#ephemeral = (this.#options.generateEphemeral ?? generateKeyPair)()
    const nonce = (this.#options.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n))))(NONCE_BYTES)
    this.#hello = encodeHello({
      version: PROTOCOL_VERSION, networkId: this.#options.networkId, staticKey: this.#signer.publicKey,
      ephemeralKey: this.#ephemeral.publicKey, nonce,
    })
    return this.#hello
  }

  get done(): boolean {
    return this.#state === 'done'
  }

  /** The messages to send first: the initiator's hello; nothing for the responder. */
  start(): readonly Uint8Array[] {
    if (this.#state !== 'start') throw failed('started twice')
    this.#state = 'wait-hello'
    return this.role === 'initiator' ? [this.#ownHello()] : []
  }

  /** Feeds one handshake frame. Throws PEER_REFUSED or HANDSHAKE_FAILED; then the handshake is dead. */
  receive(frame: Uint8Array): HandshakeStep {
    if (this.#state === 'start' || this.#state === 'done' || this.#state === 'failed') {
      throw failed(`unexpected message in state ${this.#state}`)
    }
    try {
      return this.#receive(frame)
    } catch (error) {
      this.#state = 'failed'
      if (error instanceof WichainError && (error.code === 'PEER_REFUSED' || error.code === 'HANDSHAKE_FAILED')) throw error
      throw failed(error instanceof Error ? error.message : String(error), error)
    }
  }

  #receive(frame: Uint8Array): HandshakeStep {
    const message = decodeHandshakeMessage(frame)
    if (message.type === 'reject') {
      throw new WichainError('PEER_REFUSED', `remote peer refused us: ${message.reason}`, {reason: message.reason, remote: true})
    }
    if (this.#state === 'wait-hello') {
      if (message.type !== 'hello') throw failed('expected hello')
      return this.#onHello(message.hello, frame)
    }
    if (message.type !== 'auth') throw failed('expected auth')
    return this.#onAuth(message.signature)
  }

  #onHello(hello: Hello, frame: Uint8Array): HandshakeStep {
    this.#checkRemoteHello(hello)
    this.#remoteHello = hello
    const own = this.#ownHello()
    this.#transcript = transcriptHash(...(this.role === 'initiator' ? [own, frame] as const : [frame, own] as const))
    this.#state = 'wait-auth'
    if (this.role === 'initiator') return {outgoing: []}
    return {outgoing: [own, encodeAuth(this.#signer.sign(concatBytes(ROLE_LABELS.responder, this.#transcript)))]}
  }

  #checkRemoteHello(hello: Hello): void {
    const remoteKeyHex = toHex(hello.staticKey)
    const refuse = (reason: string): never => {
      throw refused(reason, {publicKey: remoteKeyHex, networkId: hello.networkId})
    }
    if (hello.version !== PROTOCOL_VERSION) refuse(`protocol version ${hello.version}, expected ${PROTOCOL_VERSION}`)
    if (hello.networkId !== this.#options.networkId) {
      refuse(`network id '${hello.networkId}' does not match '${this.#options.networkId}'`)
    }
    if (remoteKeyHex === toHex(this.#signer.publicKey)) refuse('connected to itself')
    const expected = this.#options.expectedRemoteKeyHex
    if (this.role === 'initiator' && expected !== undefined && expected.toLowerCase() !== remoteKeyHex) {
      refuse('peer key is not the key listed for this address')
    }
    if (!callIsAllowed(this.#options.isAllowed, remoteKeyHex, hello.networkId)) refuse('key is not on the allowed node list')
  }

  #onAuth(signature: Uint8Array): HandshakeStep {
    const hello = this.#remoteHello as Hello
    const transcript = this.#transcript as Uint8Array
    const remoteRole: Role = this.role === 'initiator' ? 'responder' : 'initiator'
    if (!verify(hello.staticKey, concatBytes(ROLE_LABELS[remoteRole], transcript), signature)) {
      throw failed('peer signature over the transcript does not verify')
    }
    const keys = this.#deriveKeys(hello, transcript)
    this.#state = 'done'
    const outgoing = this.role === 'initiator'
      ? [encodeAuth(this.#signer.sign(concatBytes(ROLE_LABELS.initiator, transcript)))]
      : []
    const remoteKeyHex = toHex(hello.staticKey)
    const initiatorKeyHex = this.role === 'initiator' ? toHex(this.#signer.publicKey) : remoteKeyHex
    return {
      outgoing,
      result: Object.freeze({remoteKey: hello.staticKey, remoteKeyHex, initiatorKeyHex, transcriptHash: transcript, keys}),
    }
  }

  #deriveKeys(hello: Hello, transcript: Uint8Array): SessionKeys {
    let shared: Uint8Array
    try {
      shared = ecdh((this.#ephemeral as KeyPair).privateKey, hello.ephemeralKey)
    } catch (error) {
      throw failed('peer ephemeral key is invalid', error)
    }
    return splitSessionKeys(sm3Kdf(concatBytes(shared, transcript), SESSION_KEY_MATERIAL_BYTES), this.role)
  }
}

/** Asks the allow list; a callback that throws counts as a refusal. */
export function callIsAllowed(isAllowed: IsAllowed, publicKeyHex: string, networkId: string): boolean {
  try {
    return isAllowed(publicKeyHex, networkId) === true
  } catch {
    return false // a failing allow-list lookup must not let anyone in
  }
}
