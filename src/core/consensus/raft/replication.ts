/**
 * Log replication. The leader sends each member the entries from its `next` index (heartbeats
 * resend them, so a dropped append costs one heartbeat); a follower whose log does not match
 * rejects with a hint and the leader backs up. When the entries a follower needs are compacted
 * away, the leader sends a snapshot instead: its applied position and, for a follower one block
 * behind, that block. A follower further behind asks the driver for block sync, then installs.
 */
import {assert} from '../../assert.js'
import type {CommittedBlock, NodeId} from '../engine.js'
import type {RaftEntry, RaftMessage, SnapshotMeta} from './messages.js'
import type {Progress, RaftState} from './state.js'

type Append = Extract<RaftMessage, {type: 'append'}>
type AppendResponse = Extract<RaftMessage, {type: 'append-response'}>
type Snapshot = Extract<RaftMessage, {type: 'snapshot'}>

export function appendNoop(state: RaftState): void {
  appendEntry(state, {term: state.term, height: state.log.lastHeight(), kind: 'noop'})
}

export function appendEntry(state: RaftState, entry: RaftEntry): void {
  state.log.append(entry)
  state.markDirty()
  for (const member of state.members()) ensureProgress(state, member)
  maybeCommit(state)
}

export function ensureProgress(state: RaftState, member: NodeId): Progress {
  let progress = state.progress.get(member)
  if (progress === undefined) {
    progress = {match: 0, next: state.log.lastIndex() + 1, appliedHeight: 0}
    state.progress.set(member, progress)
  }
  return progress
}

/**
 * Append to every member. Normally only what was not sent yet (`next` moves on optimistically,
 * so one entry is sent once, not once per message that provokes a send); with `retransmit` (the
 * heartbeat) everything not yet acknowledged, which is how lost appends are recovered.
 */
export function broadcastAppend(state: RaftState, retransmit = false): void {
  for (const member of state.members()) if (member !== state.self) sendAppend(state, member, retransmit)
}

export function sendAppend(state: RaftState, to: NodeId, retransmit = false): void {
  const progress = ensureProgress(state, to)
  if (retransmit) progress.next = progress.match + 1
  const prevIndex = progress.next - 1
  const prevTerm = state.log.term(prevIndex)
  if (prevTerm === undefined || progress.next <= state.log.snapshot.index) return sendSnapshot(state, to, progress)
  const entries = state.log.slice(progress.next, state.limits.entriesPerAppendMax, state.limits.appendBytesMax)
  state.send(to, {type: 'append', term: state.term, prevIndex, prevTerm, entries, commit: state.commitIndex})
  progress.next = prevIndex + entries.length + 1
}

function sendSnapshot(state: RaftState, to: NodeId, progress: Progress): void {
  const index = state.appliedIndex
  const entry = state.log.entry(index)
  const snapshot: SnapshotMeta = {
    index,
    term: state.log.term(index)!,
    height: entry?.height ?? state.log.snapshot.height,
    config: state.log.configAt(index),
  }
  const last = state.lastAppliedBlock
  const block = last !== undefined && last.height === snapshot.height && progress.appliedHeight + 1 === last.height ? last : undefined
  state.send(to, {type: 'snapshot', term: state.term, snapshot, block})
}

export function onAppend(state: RaftState, from: NodeId, message: Append): void {
  let {prevIndex, prevTerm, entries} = message
  const lastIndex = message.prevIndex + message.entries.length
  // Entries up to our commit index are committed, hence identical to the leader's: skip them.
  if (prevIndex < state.commitIndex) {
    const skip = Math.min(entries.length, state.commitIndex - prevIndex)
    if (prevIndex + skip < state.commitIndex) return respond(state, from, true, lastIndex)
    prevTerm = skip > 0 ? entries[skip - 1]!.term : prevTerm
    prevIndex += skip
    entries = entries.slice(skip)
  }
  if (!state.log.matchTerm(prevIndex, prevTerm)) {
    return respond(state, from, false, Math.min(prevIndex - 1, state.log.lastIndex()))
  }
  for (let i = 0; i < entries.length; i++) {
    const index = prevIndex + 1 + i
    const existing = state.log.term(index)
    if (existing === entries[i]!.term) continue
    if (existing !== undefined) {
      assert(index > state.commitIndex, 'a committed entry is never overwritten')
      state.log.truncateFrom(index)
    }
    for (const entry of entries.slice(i)) state.log.append(entry)
    state.markDirty()
    break
  }
  const lastNew = prevIndex + entries.length
  advanceCommit(state, Math.min(message.commit, lastNew))
  respond(state, from, true, lastNew)
}

function respond(state: RaftState, to: NodeId, success: boolean, index: number): void {
  state.send(to, {type: 'append-response', term: state.term, success, index: Math.max(0, index), appliedHeight: state.emittedHeight})
}

export function onAppendResponse(state: RaftState, from: NodeId, message: AppendResponse): void {
  if (!state.members().includes(from)) return
  const progress = ensureProgress(state, from)
  progress.appliedHeight = message.appliedHeight
  if (message.success) {
    progress.match = Math.max(progress.match, message.index)
    progress.next = Math.max(progress.next, progress.match + 1)
    maybeCommit(state)
    if (progress.next <= state.log.lastIndex() && state.role === 'leader') sendAppend(state, from)
    return
  }
  // The follower's log does not match before `message.index + 1`: back up to there.
  const next = Math.max(progress.match + 1, Math.min(progress.next - 1, message.index + 1))
  if (next >= progress.next) return // a stale or repeated rejection
  progress.next = next
  // Snapshots go out with heartbeats only: a follower that must sync first would just reject again.
  if (next > state.log.snapshot.index && state.log.term(next - 1) !== undefined) sendAppend(state, from)
}

export function onSnapshot(state: RaftState, from: NodeId, message: Snapshot): void {
  const snapshot = message.snapshot
  if (snapshot.index <= state.commitIndex) return respond(state, from, true, state.commitIndex)
  if (state.log.matchTerm(snapshot.index, snapshot.term)) {
    advanceCommit(state, snapshot.index)
    return respond(state, from, true, snapshot.index)
  }
  const block = message.block
  if (block !== undefined && block.kind === 'block' && block.height === snapshot.height && state.emittedHeight + 1 === block.height) {
    state.emit(committedBlockOf(state, block))
  }
  if (state.emittedHeight < snapshot.height) {
    state.requestSync(snapshot.height, from)
    return respond(state, from, false, snapshot.index)
  }
  state.log.restore(snapshot)
  state.commitIndex = state.emittedIndex = snapshot.index
  if (state.queue.pendingCommitted().length === 0) state.appliedIndex = snapshot.index
  state.markDirty()
  respond(state, from, true, snapshot.index)
}

/** Leader: the highest index a majority of members hold, if it is of the current term (§5.4.2). */
export function maybeCommit(state: RaftState): void {
  if (state.role !== 'leader') return
  const matches = state.members()
    .map((member) => (member === state.self ? state.log.lastIndex() : (state.progress.get(member)?.match ?? 0)))
    .sort((a, b) => b - a)
  const candidate = matches[state.majority() - 1] ?? 0
  if (candidate <= state.commitIndex || state.log.term(candidate) !== state.term) return
  advanceCommit(state, candidate)
  broadcastAppend(state) // tell followers at once rather than at the next heartbeat
}

function advanceCommit(state: RaftState, index: number): void {
  if (index <= state.commitIndex) return
  state.commitIndex = Math.min(index, state.log.lastIndex())
  emitCommitted(state)
}

/** Hand committed blocks to the driver, in height order, skipping heights it already has. */
export function emitCommitted(state: RaftState): void {
  while (state.emittedIndex < state.commitIndex) {
    const index = state.emittedIndex + 1
    const entry = state.log.entry(index)
    if (entry !== undefined && entry.kind === 'block' && entry.height > state.emittedHeight) {
      if (entry.height !== state.emittedHeight + 1) {
        state.requestSync(entry.height - 1, state.leader)
        break
      }
      state.emit(committedBlockOf(state, entry))
    }
    state.emittedIndex = index
  }
  if (state.queue.pendingCommitted().length === 0) state.appliedIndex = state.emittedIndex
}

export function committedBlockOf(state: RaftState, entry: RaftEntry): CommittedBlock {
  const payload = entry.payload!
  return {
    height: entry.height,
    payload,
    certificate: {
      kind: 'raft',
      height: entry.height,
      round: entry.term,
      blockHash: state.application.digest(payload),
      signatures: [{signer: entry.signer!, signature: entry.signature!}],
    },
  }
}
