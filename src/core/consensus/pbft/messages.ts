/**
 * PBFT message shapes and their wire form. Every message is a signed envelope
 * `{b: body, s: signature, p?: payload}`: the body names its signer, so votes can be relayed
 * inside view-change proofs and still be checked. Payloads travel beside the body, bound to it by
 * the digest the body carries, so proofs stay small. Encoding is the project's canonical CBOR.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readBytes, readEnum, readRecord, readString, readUint, type Fields} from '../../codec/fields.js'
import {WichainError} from '../../errors.js'
import {BLOCK_HASH_BYTES_MAX, VALIDATORS_MAX} from '../certificate.js'
import type {CommitCertificate, NodeId} from '../engine.js'

export interface VoteSignature {
  readonly signer: NodeId
  readonly signature: Uint8Array
}

/** Proof that a quorum prepared `digest` in `view`: their prepare signatures. */
export interface PreparedProof {
  readonly view: number
  readonly digest: Uint8Array
  readonly prepares: readonly VoteSignature[]
}

interface Header {
  readonly height: number
  readonly view: number
  readonly signer: NodeId
}

export type PrePrepareBody = Header & {readonly type: 'pre-prepare'; readonly digest: Uint8Array}
export type PrepareBody = Header & {readonly type: 'prepare'; readonly digest: Uint8Array}
export type CommitBody = Header & {readonly type: 'commit'; readonly digest: Uint8Array}
export type CheckpointBody = Header & {readonly type: 'checkpoint'; readonly digest: Uint8Array}
export type StatusBody = Header & {readonly type: 'status'}
/** `view` is the view the signer moves to. */
export type ViewChangeBody = Header & {readonly type: 'view-change'; readonly prepared: PreparedProof | undefined}
export type NewViewBody = Header & {
  readonly type: 'new-view'
  readonly viewChanges: readonly Signed<ViewChangeBody>[]
  readonly prePrepare: Signed<PrePrepareBody>
}
/** A committed block, self-proving through its certificate (view = certificate round). */
export type CommittedBody = Header & {readonly type: 'committed'; readonly certificate: CommitCertificate}

export type PbftBody =
  | PrePrepareBody
  | PrepareBody
  | CommitBody
  | CheckpointBody
  | StatusBody
  | ViewChangeBody
  | NewViewBody
  | CommittedBody

export interface Signed<B extends PbftBody = PbftBody> {
  readonly body: B
  readonly signature: Uint8Array
  readonly payload: Uint8Array | undefined
}

const TYPE_CODES = {
  'pre-prepare': 1,
  prepare: 2,
  commit: 3,
  'view-change': 4,
  'new-view': 5,
  committed: 6,
  checkpoint: 7,
  status: 8,
} as const satisfies Record<PbftBody['type'], number>
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE_CODES).map(([name, code]) => [code, name])) as Record<
  number,
  PbftBody['type']
>

export const SIGNATURE_BYTES_MAX = 128
const NODE_ID_LENGTH_MAX = 200

export function bodyToDocument(body: PbftBody): Record<string, unknown> {
  const header = {t: TYPE_CODES[body.type], h: body.height, v: body.view, n: body.signer}
  switch (body.type) {
    case 'pre-prepare':
    case 'prepare':
    case 'commit':
    case 'checkpoint':
      return {...header, d: body.digest}
    case 'status':
      return header
    case 'view-change':
      return body.prepared === undefined ? header : {...header, pp: proofToDocument(body.prepared)}
    case 'new-view':
      return {...header, vc: body.viewChanges.map(envelopeToDocument), pr: envelopeToDocument(body.prePrepare)}
    case 'committed':
      return {...header, c: certificateToDocument(body.certificate)}
  }
}

export function proofToDocument(proof: PreparedProof): Record<string, unknown> {
  return {v: proof.view, d: proof.digest, ps: proof.prepares.map((vote) => [vote.signer, vote.signature])}
}

function certificateToDocument(certificate: CommitCertificate): Record<string, unknown> {
  return {
    k: certificate.kind,
    h: certificate.height,
    r: certificate.round,
    bh: certificate.blockHash,
    sg: certificate.signatures.map((vote) => [vote.signer, vote.signature]),
  }
}

function envelopeToDocument(signed: Signed): Record<string, unknown> {
  const document: Record<string, unknown> = {b: bodyToDocument(signed.body), s: signed.signature}
  if (signed.payload !== undefined) document.p = signed.payload
  return document
}

export function encodeMessage(signed: Signed): Uint8Array {
  return encodeCanonical(envelopeToDocument(signed))
}

/** Strict decode: anything but a well-formed message throws DECODE_ERROR. */
export function decodeMessage(bytes: Uint8Array): Signed {
  return envelopeFromDocument(decodeCanonical(bytes, 'pbft message'), 'pbft message', true)
}

function envelopeFromDocument(value: unknown, what: string, allowNested: boolean): Signed {
  const keys = hasKey(value, 'p') ? ['b', 's', 'p'] : ['b', 's']
  const fields = readRecord(value, what, keys)
  const body = bodyFromDocument(fields.b, `${what}.body`, allowNested)
  return Object.freeze({
    body,
    signature: readBytes(fields.s, `${what}.signature`, {max: SIGNATURE_BYTES_MAX}),
    payload: fields.p === undefined ? undefined : readBytes(fields.p, `${what}.payload`),
  })
}

function bodyFromDocument(value: unknown, what: string, allowNested: boolean): PbftBody {
  const code = readUint((asObject(value) as Fields).t, `${what}.t`)
  const type = TYPE_NAMES[code] ?? fail(`${what}: unknown message type ${code}`)
  const header = {type, ...readHeader(value, what, BODY_KEYS[type](value))}
  const fields = value as Fields
  switch (type) {
    case 'pre-prepare':
    case 'prepare':
    case 'commit':
    case 'checkpoint':
      return Object.freeze({...header, type, digest: readDigest(fields.d, `${what}.digest`)})
    case 'status':
      return Object.freeze({...header, type})
    case 'view-change':
      return Object.freeze({...header, type, prepared: fields.pp === undefined ? undefined : proofFromDocument(fields.pp, what)})
    case 'new-view': {
      if (!allowNested) fail(`${what}: nested new-view`)
      const viewChanges = readArray(fields.vc, `${what}.vc`, VALIDATORS_MAX).map((entry, index) =>
        envelopeFromDocument(entry, `${what}.vc[${index}]`, false),
      )
      const prePrepare = envelopeFromDocument(fields.pr, `${what}.pr`, false)
      if (prePrepare.body.type !== 'pre-prepare') fail(`${what}: pr is not a pre-prepare`)
      if (viewChanges.some((entry) => entry.body.type !== 'view-change')) fail(`${what}: vc holds other messages`)
      return Object.freeze({
        ...header,
        type,
        viewChanges: viewChanges as Signed<ViewChangeBody>[],
        prePrepare: prePrepare as Signed<PrePrepareBody>,
      })
    }
    case 'committed':
      return Object.freeze({...header, type, certificate: certificateFromDocument(fields.c, `${what}.c`)})
  }
}

const digestKeys = (): string[] => ['t', 'h', 'v', 'n', 'd']
const BODY_KEYS: Record<PbftBody['type'], (value: unknown) => string[]> = {
  'pre-prepare': digestKeys,
  prepare: digestKeys,
  commit: digestKeys,
  checkpoint: digestKeys,
  status: () => ['t', 'h', 'v', 'n'],
  'view-change': (value) => (hasKey(value, 'pp') ? ['t', 'h', 'v', 'n', 'pp'] : ['t', 'h', 'v', 'n']),
  'new-view': () => ['t', 'h', 'v', 'n', 'vc', 'pr'],
  committed: () => ['t', 'h', 'v', 'n', 'c'],
}

function readHeader(value: unknown, what: string, keys: string[]): Header {
  const fields = readRecord(value, what, keys)
  return {
    height: readUint(fields.h, `${what}.h`),
    view: readUint(fields.v, `${what}.v`),
    signer: readNodeId(fields.n, `${what}.n`),
  }
}

export function proofFromDocument(value: unknown, what: string): PreparedProof {
  const fields = readRecord(value, `${what}.pp`, ['v', 'd', 'ps'])
  return Object.freeze({
    view: readUint(fields.v, `${what}.pp.v`),
    digest: readDigest(fields.d, `${what}.pp.d`),
    prepares: readVotes(fields.ps, `${what}.pp.ps`),
  })
}

function certificateFromDocument(value: unknown, what: string): CommitCertificate {
  const fields = readRecord(value, what, ['k', 'h', 'r', 'bh', 'sg'])
  return Object.freeze({
    kind: readEnum(fields.k, `${what}.k`, ['solo', 'pbft', 'raft'] as const),
    height: readUint(fields.h, `${what}.h`),
    round: readUint(fields.r, `${what}.r`),
    blockHash: readDigest(fields.bh, `${what}.bh`),
    signatures: readVotes(fields.sg, `${what}.sg`),
  })
}

function readVotes(value: unknown, what: string): readonly VoteSignature[] {
  return Object.freeze(
    readArray(value, what, VALIDATORS_MAX).map((entry, index) => {
      const pair = readArray(entry, `${what}[${index}]`, 2)
      if (pair.length !== 2) fail(`${what}[${index}]: expected [signer, signature]`)
      return Object.freeze({
        signer: readNodeId(pair[0], `${what}[${index}].signer`),
        signature: readBytes(pair[1], `${what}[${index}].signature`, {max: SIGNATURE_BYTES_MAX}),
      })
    }),
  )
}

function readDigest(value: unknown, what: string): Uint8Array {
  const digest = readBytes(value, what, {max: BLOCK_HASH_BYTES_MAX})
  if (digest.length === 0) fail(`${what}: empty digest`)
  return digest
}

function readNodeId(value: unknown, what: string): NodeId {
  const id = readString(value, what, NODE_ID_LENGTH_MAX)
  if (id.length === 0) fail(`${what}: empty node id`)
  return id
}

function hasKey(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
}

function asObject(value: unknown): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('pbft message body: expected a map')
  return value
}

function fail(message: string): never {
  throw new WichainError('DECODE_ERROR', message)
}
