/**
 * Raft messages and log entries, in the project's canonical CBOR. Raft assumes crash faults
 * only: messages are not signed (the transport authenticates peers); only block entries carry
 * the leader's signature, which becomes the block's certificate.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readBytes, readEnum, readRecord, readString, readUint, type Fields} from '../../codec/fields.js'
import {WichainError} from '../../errors.js'
import {VALIDATORS_MAX} from '../certificate.js'
import type {NodeId} from '../engine.js'

export type EntryKind = 'block' | 'config' | 'noop'

export interface RaftEntry {
  readonly term: number
  /** The chain height once this entry is applied (a block entry's own height). */
  readonly height: number
  readonly kind: EntryKind
  readonly payload?: Uint8Array
  /** Block entries: the proposing leader and its signature over (height, term, block hash). */
  readonly signer?: NodeId
  readonly signature?: Uint8Array
  /** Config entries: the new member list, in effect as soon as the entry is appended (Raft §4.1). */
  readonly config?: readonly NodeId[]
}

export interface SnapshotMeta {
  readonly index: number
  readonly term: number
  readonly height: number
  readonly config: readonly NodeId[]
}

export type RaftMessage =
  | {readonly type: 'pre-vote' | 'vote'; readonly term: number; readonly lastIndex: number; readonly lastTerm: number}
  | {readonly type: 'pre-vote-response' | 'vote-response'; readonly term: number; readonly granted: boolean}
  | {readonly type: 'append'; readonly term: number; readonly prevIndex: number; readonly prevTerm: number; readonly entries: readonly RaftEntry[]; readonly commit: number}
  | {readonly type: 'append-response'; readonly term: number; readonly success: boolean; readonly index: number; readonly appliedHeight: number}
  /** `block`: the block entry at `snapshot.height`, so a follower one block behind can install it at once. */
  | {readonly type: 'snapshot'; readonly term: number; readonly snapshot: SnapshotMeta; readonly block: RaftEntry | undefined}

export const ENTRIES_PER_MESSAGE_MAX = 64
const TYPES = ['pre-vote', 'vote', 'pre-vote-response', 'vote-response', 'append', 'append-response', 'snapshot'] as const
const KINDS: readonly EntryKind[] = ['block', 'config', 'noop']
const ID_LENGTH_MAX = 200
const SIGNATURE_BYTES_MAX = 128

export function encodeRaftMessage(message: RaftMessage): Uint8Array {
  const document: Record<string, unknown> = {y: TYPES.indexOf(message.type), t: message.term}
  switch (message.type) {
    case 'pre-vote':
    case 'vote':
      Object.assign(document, {li: message.lastIndex, lt: message.lastTerm})
      break
    case 'pre-vote-response':
    case 'vote-response':
      document.g = message.granted ? 1 : 0
      break
    case 'append':
      Object.assign(document, {pi: message.prevIndex, pt: message.prevTerm, e: message.entries.map(entryToDocument), c: message.commit})
      break
    case 'append-response':
      Object.assign(document, {ok: message.success ? 1 : 0, i: message.index, ah: message.appliedHeight})
      break
    case 'snapshot':
      document.s = snapshotToDocument(message.snapshot)
      if (message.block !== undefined) document.b = entryToDocument(message.block)
  }
  return encodeCanonical(document)
}

export function decodeRaftMessage(bytes: Uint8Array): RaftMessage {
  const value = decodeCanonical(bytes, 'raft message')
  const type = TYPES[readUint(asFields(value).y, 'raft message.y')] ?? fail('raft message: unknown type')
  const fields = readRecord(value, 'raft message', ['y', 't', ...MESSAGE_KEYS[type](value)])
  const term = readUint(fields.t, 'term')
  switch (type) {
    case 'pre-vote':
    case 'vote':
      return {type, term, lastIndex: readUint(fields.li, 'lastIndex'), lastTerm: readUint(fields.lt, 'lastTerm')}
    case 'pre-vote-response':
    case 'vote-response':
      return {type, term, granted: readFlag(fields.g, 'granted')}
    case 'append': {
      const entries = readArray(fields.e, 'entries', ENTRIES_PER_MESSAGE_MAX).map((entry, index) => entryFromDocument(entry, `entries[${index}]`))
      return {type, term, prevIndex: readUint(fields.pi, 'prevIndex'), prevTerm: readUint(fields.pt, 'prevTerm'), entries, commit: readUint(fields.c, 'commit')}
    }
    case 'append-response':
      return {type, term, success: readFlag(fields.ok, 'success'), index: readUint(fields.i, 'index'), appliedHeight: readUint(fields.ah, 'appliedHeight')}
    case 'snapshot':
      return {type, term, snapshot: snapshotFromDocument(fields.s), block: fields.b === undefined ? undefined : entryFromDocument(fields.b, 'block')}
  }
}

const MESSAGE_KEYS: Record<RaftMessage['type'], (value: unknown) => string[]> = {
  'pre-vote': () => ['li', 'lt'],
  vote: () => ['li', 'lt'],
  'pre-vote-response': () => ['g'],
  'vote-response': () => ['g'],
  append: () => ['pi', 'pt', 'e', 'c'],
  'append-response': () => ['ok', 'i', 'ah'],
  snapshot: (value) => ('b' in asFields(value) ? ['s', 'b'] : ['s']),
}

export function entryToDocument(entry: RaftEntry): Record<string, unknown> {
  const document: Record<string, unknown> = {t: entry.term, h: entry.height, k: KINDS.indexOf(entry.kind)}
  if (entry.payload !== undefined) document.p = entry.payload
  if (entry.signer !== undefined) document.s = entry.signer
  if (entry.signature !== undefined) document.g = entry.signature
  if (entry.config !== undefined) document.c = entry.config
  return document
}

export function entryFromDocument(value: unknown, what: string): RaftEntry {
  const kind = KINDS[readUint(asFields(value).k, `${what}.k`)] ?? fail(`${what}: unknown entry kind`)
  const extra = kind === 'block' ? ['p', 's', 'g'] : kind === 'config' ? ['c'] : []
  const fields = readRecord(value, what, ['t', 'h', 'k', ...extra])
  const base = {term: readUint(fields.t, `${what}.t`), height: readUint(fields.h, `${what}.h`), kind}
  if (kind === 'block') {
    return Object.freeze({
      ...base,
      payload: readBytes(fields.p, `${what}.p`),
      signer: readString(fields.s, `${what}.s`, ID_LENGTH_MAX),
      signature: readBytes(fields.g, `${what}.g`, {max: SIGNATURE_BYTES_MAX}),
    })
  }
  if (kind === 'config') return Object.freeze({...base, config: readIds(fields.c, `${what}.c`)})
  return Object.freeze(base)
}

export function snapshotToDocument(snapshot: SnapshotMeta): Record<string, unknown> {
  return {i: snapshot.index, t: snapshot.term, h: snapshot.height, c: snapshot.config}
}

export function snapshotFromDocument(value: unknown): SnapshotMeta {
  const fields = readRecord(value, 'snapshot', ['i', 't', 'h', 'c'])
  return Object.freeze({
    index: readUint(fields.i, 'snapshot.i'),
    term: readUint(fields.t, 'snapshot.t'),
    height: readUint(fields.h, 'snapshot.h'),
    config: readIds(fields.c, 'snapshot.c'),
  })
}

function readIds(value: unknown, what: string): readonly NodeId[] {
  const ids = readArray(value, what, VALIDATORS_MAX).map((id) => readString(id, what, ID_LENGTH_MAX))
  if (ids.length === 0 || new Set(ids).size !== ids.length) fail(`${what}: empty or duplicate member list`)
  return Object.freeze(ids)
}

function readFlag(value: unknown, what: string): boolean {
  return readEnum(value, what, [0, 1] as const) === 1
}

function asFields(value: unknown): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('raft message: expected a map')
  return value as Fields
}

function fail(message: string): never {
  throw new WichainError('DECODE_ERROR', message)
}
