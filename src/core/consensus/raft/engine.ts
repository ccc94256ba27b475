/**
 * The Raft engine: routes inputs, runs the election and heartbeat timers and hands outputs to
 * the driver. Raft's log carries blocks (one at a time: a leader proposes height h+1 only after
 * h is committed and applied), no-op entries that new leaders commit, and config entries.
 */
import {bytesEqual} from '../../bytes.js'
import {assert} from '../../assert.js'
import {commitCertificateProblem, raftCommitSignBytes} from '../certificate.js'
import type {CommittedBlock, ConsensusEngine, NodeId, Ready} from '../engine.js'
import {ValidatorSchedule} from '../validator-schedule.js'
import {becomeFollower, campaign, onVoteRequest, onVoteResponse} from './election.js'
import {RaftLog} from './log.js'
import {maybeProposeOrReconfigure} from './membership.js'
import {decodeRaftMessage, type RaftEntry, type RaftMessage} from './messages.js'
import {RAFT_LIMITS_DEFAULTS, RAFT_TIMING_DEFAULTS, type RaftOptions} from './options.js'
import {decodeRaftState, encodeRaftState} from './persist.js'
import {appendEntry, broadcastAppend, emitCommitted, onAppend, onAppendResponse, onSnapshot} from './replication.js'
import {RaftState} from './state.js'

export class RaftEngine implements ConsensusEngine {
  readonly kind = 'raft' as const
  private readonly state: RaftState

  constructor(options: RaftOptions) {
    const height = options.lastCommitted.height
    const schedule = new ValidatorSchedule(height + 1, options.validators)
    const durable = options.persisted !== undefined ? decodeRaftState(options.persisted) : undefined
    const log = durable?.log ?? new RaftLog({index: 0, term: 0, height, config: schedule.at(height + 1)})
    const timing = {...RAFT_TIMING_DEFAULTS, ...options.timing}
    const limits = {...RAFT_LIMITS_DEFAULTS, ...options.limits}
    const encode = (): Uint8Array => encodeRaftState(this.state)
    const state = new RaftState(options.crypto, options.application, schedule, log, timing, limits, options.random, height, encode, options.logger)
    this.state = state
    state.term = durable?.term ?? 0
    state.votedFor = durable?.votedFor
    // What the chain holds is committed: resume right after it, or sync up to the log's snapshot.
    const applied = log.indexOfHeight(height) ?? log.snapshot.index
    state.commitIndex = state.emittedIndex = state.appliedIndex = Math.max(applied, log.snapshot.index)
    if (log.snapshot.height > height) state.requestSync(log.snapshot.height, undefined)
    if (durable === undefined) state.markDirty()
  }

  tick(): void {
    const state = this.state
    state.ticks++
    if (state.role === 'leader') {
      if (++state.heartbeatElapsedTicks >= state.timing.heartbeatTicks) {
        state.heartbeatElapsedTicks = 0
        broadcastAppend(state, true)
      }
      return maybeProposeOrReconfigure(state)
    }
    if (++state.electionElapsedTicks >= state.randomizedElectionTimeoutTicks) {
      if (state.mayCampaign()) campaign(state, true)
      else state.resetElectionTimeout()
    }
  }

  step(from: NodeId, bytes: Uint8Array): void {
    const state = this.state
    if (!(bytes instanceof Uint8Array) || bytes.length > state.limits.messageBytesMax || from === state.self) return
    if (!this.knows(from)) return
    let message: RaftMessage
    try {
      message = decodeRaftMessage(bytes)
    } catch {
      return
    }
    if (!this.checkTerm(from, message)) return
    this.dispatch(from, message)
    maybeProposeOrReconfigure(state)
  }

  propose(height: number, payload: Uint8Array): void {
    const state = this.state
    if (state.role !== 'leader' || state.awaitingProposal !== height || height !== state.appliedHeight + 1) return
    if (state.commitIndex !== state.log.lastIndex() || state.appliedIndex !== state.commitIndex) return
    // The driver proposes what it built and executed itself: an invalid one is a bug in it.
    assert(state.application.validate(height, payload), `the driver proposed a block for height ${height} that is not valid`)
    state.awaitingProposal = undefined
    const signature = state.crypto.sign(raftCommitSignBytes(height, state.term, state.application.digest(payload)))
    appendEntry(state, {term: state.term, height, kind: 'block', payload, signer: state.self, signature})
    broadcastAppend(state)
  }

  stepCommitted(block: CommittedBlock): boolean {
    const state = this.state
    if (block.height !== state.emittedHeight + 1 || state.queue.pendingCommitted().length > 0) return false
    const certificate = block.certificate
    if (certificate.kind !== 'raft' || certificate.height !== block.height) return false
    if (!bytesEqual(state.application.digest(block.payload), certificate.blockHash)) return false
    const verify = state.crypto.verify.bind(state.crypto)
    if (commitCertificateProblem(certificate, state.schedule.at(block.height), verify) !== undefined) return false
    state.emit(block)
    return true
  }

  reconfigure(height: number, validators: readonly NodeId[]): void {
    assert(Number.isSafeInteger(height) && height > this.state.appliedHeight, `cannot change the validators of height ${height}: it is already committed`)
    this.state.schedule.set(height, validators)
  }

  hasReady(): boolean {
    return this.state.queue.hasReady()
  }

  ready(): Ready {
    return this.state.queue.take()
  }

  advance(ready: Ready): void {
    const state = this.state
    const applied = state.queue.advance(ready)
    const last = applied[applied.length - 1]
    if (last !== undefined) {
      state.appliedHeight = last.height
      state.lastAppliedBlock = entryOf(last)
    }
    emitCommitted(state) // continues past heights that block sync just filled in
    if (state.queue.pendingCommitted().length === 0) state.appliedIndex = state.emittedIndex
    this.compact()
    maybeProposeOrReconfigure(state)
  }

  status(): {height: number; round: number; leader: NodeId | undefined; role: string; validators: readonly NodeId[]} {
    const state = this.state
    const role = state.isMember() ? state.role : 'observer'
    return {height: state.appliedHeight + 1, round: state.term, leader: state.leader, role, validators: state.members()}
  }

  private knows(from: NodeId): boolean {
    const state = this.state
    const height = state.emittedHeight
    return state.members().includes(from) || state.schedule.at(height + 1).includes(from) || state.schedule.at(height).includes(from)
  }

  /** Raft §5.1 term rules, with the pre-vote and lease exceptions. Returns false to drop the message. */
  private checkTerm(from: NodeId, message: RaftMessage): boolean {
    const state = this.state
    if (message.term > state.term) {
      if (message.type === 'pre-vote' || (message.type === 'pre-vote-response' && message.granted)) return true
      if (message.type === 'vote' && state.inLease()) return false
      const fromLeader = message.type === 'append' || message.type === 'snapshot'
      becomeFollower(state, message.term, fromLeader ? from : undefined)
      return true
    }
    if (message.term < state.term) {
      // Tell a stale leader or pre-candidate about the newer term; ignore everything else.
      if (message.type === 'append' || message.type === 'snapshot') {
        state.send(from, {type: 'append-response', term: state.term, success: false, index: 0, appliedHeight: state.emittedHeight})
      } else if (message.type === 'pre-vote') {
        state.send(from, {type: 'pre-vote-response', term: state.term, granted: false})
      }
      return false
    }
    return true
  }

  private dispatch(from: NodeId, message: RaftMessage): void {
    const state = this.state
    switch (message.type) {
      case 'pre-vote':
      case 'vote':
        return onVoteRequest(state, from, message)
      case 'pre-vote-response':
      case 'vote-response':
        return onVoteResponse(state, from, message)
      case 'append':
      case 'snapshot':
        if (state.role !== 'follower' || state.leader !== from) becomeFollower(state, state.term, from)
        state.resetElectionTimeout()
        return message.type === 'append' ? onAppend(state, from, message) : onSnapshot(state, from, message)
      case 'append-response':
        if (state.role === 'leader') onAppendResponse(state, from, message)
    }
  }

  /**
   * Keep at most `retainedEntries` applied entries, and `retainedBytes` of their payloads, for
   * followers that lag a little; forget older ones (they catch up by snapshot and block sync).
   * Compaction waits until twice either bound has accumulated, so it runs seldom.
   */
  private compact(): void {
    const state = this.state
    const {retainedEntries, retainedBytes} = state.limits
    const log = state.log
    let bytes = 0
    for (let index = log.snapshot.index + 1; index <= state.appliedIndex; index++) bytes += log.entry(index)!.payload?.length ?? 0
    if (state.appliedIndex - log.snapshot.index <= 2 * retainedEntries && bytes <= 2 * retainedBytes) return
    // The newest applied entries that fit both bounds stay; everything up to `keepFrom - 1` goes.
    let keepFrom = state.appliedIndex + 1
    let kept = 0
    while (keepFrom - 1 > log.snapshot.index && state.appliedIndex - (keepFrom - 1) < retainedEntries) {
      kept += log.entry(keepFrom - 1)!.payload?.length ?? 0
      if (kept > retainedBytes) break
      keepFrom--
    }
    if (keepFrom - 1 > log.snapshot.index) {
      log.compact(keepFrom - 1)
      state.markDirty()
    }
  }
}

function entryOf(block: CommittedBlock): RaftEntry {
  const signature = block.certificate.signatures[0]!
  return {term: block.certificate.round, height: block.height, kind: 'block', payload: block.payload, signer: signature.signer, signature: signature.signature}
}
