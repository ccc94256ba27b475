/**
 * The mutable state of a Raft node, shared by election.ts, replication.ts and membership.ts.
 * Durable: term, vote and log. Everything else is rebuilt after a restart.
 */
import type {Logger} from '../../log.js'
import {nullLogger} from '../../log.js'
import type {CommittedBlock, ConsensusApplication, ConsensusCrypto, NodeId} from '../engine.js'
import {ReadyQueue} from '../ready-queue.js'
import type {ValidatorSchedule} from '../validator-schedule.js'
import type {RaftLog} from './log.js'
import {encodeRaftMessage, type RaftEntry, type RaftMessage} from './messages.js'
import type {RaftLimits, RaftTiming} from './options.js'

export type RaftRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader'

export interface Progress {
  /** Highest index known to match the leader's log. */
  match: number
  /** Next index to send. */
  next: number
  /** The follower's applied height, as it last reported it. */
  appliedHeight: number
}

export class RaftState {
  // Durable.
  term = 0
  votedFor: NodeId | undefined
  // Volatile.
  role: RaftRole = 'follower'
  leader: NodeId | undefined
  commitIndex: number
  /** Entries up to here went out in `ready.committed` (or were already in the chain). */
  emittedIndex: number
  emittedHeight: number
  /** Entries up to here the driver has applied. */
  appliedIndex: number
  appliedHeight: number
  /** The last applied block, sent with snapshots to a follower one block behind. */
  lastAppliedBlock: RaftEntry | undefined
  electionElapsedTicks = 0
  randomizedElectionTimeoutTicks = 0
  heartbeatElapsedTicks = 0
  ticks = 0
  lastSyncTick = -Infinity
  readonly votes = new Map<NodeId, boolean>()
  readonly progress = new Map<NodeId, Progress>()
  awaitingProposal: number | undefined
  readonly queue: ReadyQueue

  constructor(
    readonly crypto: ConsensusCrypto,
    readonly application: ConsensusApplication,
    readonly schedule: ValidatorSchedule,
    readonly log: RaftLog,
    readonly timing: RaftTiming,
    readonly limits: RaftLimits,
    readonly random: () => number,
    appliedHeight: number,
    encodeState: () => Uint8Array,
    readonly logger: Logger = nullLogger,
  ) {
    this.commitIndex = this.emittedIndex = this.appliedIndex = log.snapshot.index
    this.emittedHeight = this.appliedHeight = appliedHeight
    this.queue = new ReadyQueue(encodeState)
    this.resetElectionTimeout()
  }

  get self(): NodeId {
    return this.crypto.self
  }

  /** Members per the log (Raft §4.1: the latest config entry, committed or not). */
  members(): readonly NodeId[] {
    return this.log.latestConfig()
  }

  isMember(): boolean {
    return this.members().includes(this.self)
  }

  majority(): number {
    return Math.floor(this.members().length / 2) + 1
  }

  send(to: NodeId, message: RaftMessage): void {
    this.queue.send(to, encodeRaftMessage(message))
  }

  markDirty(): void {
    this.queue.markDirty()
  }

  resetElectionTimeout(): void {
    this.electionElapsedTicks = 0
    const base = this.timing.electionTimeoutTicks
    this.randomizedElectionTimeoutTicks = base + Math.floor(this.random() * base)
  }

  /** Heard from a leader recently: then (pre-)votes are refused, so a returning node cannot disrupt it. */
  inLease(): boolean {
    if (this.role === 'leader') return true
    return this.leader !== undefined && this.role === 'follower' && this.electionElapsedTicks < this.timing.electionTimeoutTicks
  }

  /** Campaign only as a member by the log and by the chain: a removed node stops disturbing the rest. */
  mayCampaign(): boolean {
    return this.isMember() && this.schedule.at(this.appliedHeight + 1).includes(this.self)
  }

  requestSync(toHeight: number, peer: NodeId | undefined): void {
    if (toHeight <= this.emittedHeight || this.ticks - this.lastSyncTick < this.timing.syncRetryTicks) return
    this.lastSyncTick = this.ticks
    this.queue.requestSync({fromHeight: this.emittedHeight + 1, toHeight, peer})
  }

  emit(block: CommittedBlock): void {
    this.queue.commit(block)
    this.emittedHeight = block.height
  }
}
