/** The durable part of a Raft node: term, vote and log (snapshot metadata plus entries). */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readRecord, readString, readUint} from '../../codec/fields.js'
import {WichainError} from '../../errors.js'
import type {NodeId} from '../engine.js'
import {RaftLog} from './log.js'
import {entryFromDocument, entryToDocument, snapshotFromDocument, snapshotToDocument} from './messages.js'

const FORMAT = 1
/** Retained plus uncommitted entries; a log longer than this was not written by this engine. */
const PERSISTED_ENTRIES_MAX = 100_000

export interface RaftDurable {
  readonly term: number
  readonly votedFor: NodeId | undefined
  readonly log: RaftLog
}

export function encodeRaftState(durable: RaftDurable): Uint8Array {
  const document: Record<string, unknown> = {
    f: FORMAT,
    t: durable.term,
    s: snapshotToDocument(durable.log.snapshot),
    e: durable.log.all().map(entryToDocument),
  }
  if (durable.votedFor !== undefined) document.v = durable.votedFor
  return encodeCanonical(document)
}

export function decodeRaftState(bytes: Uint8Array): RaftDurable {
  const value = decodeCanonical(bytes, 'raft state')
  const keys = typeof value === 'object' && value !== null && 'v' in value ? ['f', 't', 's', 'e', 'v'] : ['f', 't', 's', 'e']
  const fields = readRecord(value, 'raft state', keys)
  if (readUint(fields.f, 'raft state.f') !== FORMAT) throw new WichainError('DECODE_ERROR', 'raft state: unknown format')
  const entries = readArray(fields.e, 'raft state.e', PERSISTED_ENTRIES_MAX).map((entry, index) => entryFromDocument(entry, `raft state.e[${index}]`))
  return {
    term: readUint(fields.t, 'raft state.t'),
    votedFor: fields.v === undefined ? undefined : readString(fields.v, 'raft state.v', 200),
    log: new RaftLog(snapshotFromDocument(fields.s), entries),
  }
}
