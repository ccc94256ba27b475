/** Raft options and their defaults. Durations are in driver ticks. */
import {MESSAGE_BYTES_MAX, RAFT_APPEND_BYTES_MAX, RAFT_RETAINED_BYTES_MAX} from '../../limits.js'
import type {Logger} from '../../log.js'
import type {EngineOptions} from '../engine.js'

export interface RaftTiming {
  /** Followers wait a random time in [electionTimeoutTicks, 2 × electionTimeoutTicks) before campaigning. */
  readonly electionTimeoutTicks: number
  /** The leader sends appends (heartbeats, retransmissions) this often. */
  readonly heartbeatTicks: number
  /** Minimum ticks between two block-sync requests to the driver. */
  readonly syncRetryTicks: number
}

export interface RaftLimits {
  /** Applied entries kept in the log for lagging followers; older ones go through a snapshot. */
  readonly retainedEntries: number
  /** ... and at most this many payload bytes of them. */
  readonly retainedBytes: number
  readonly entriesPerAppendMax: number
  readonly appendBytesMax: number
  readonly messageBytesMax: number
}

export interface RaftOptions extends EngineOptions {
  /** A seeded source in [0, 1) for election timeouts (the simulator's PRNG; any PRNG in the node). */
  readonly random: () => number
  readonly timing?: Partial<RaftTiming>
  readonly limits?: Partial<RaftLimits>
  readonly logger?: Logger
}

export const RAFT_TIMING_DEFAULTS: RaftTiming = Object.freeze({
  electionTimeoutTicks: 10,
  heartbeatTicks: 2,
  syncRetryTicks: 20,
})

export const RAFT_LIMITS_DEFAULTS: RaftLimits = Object.freeze({
  retainedEntries: 16,
  retainedBytes: RAFT_RETAINED_BYTES_MAX,
  entriesPerAppendMax: 16,
  appendBytesMax: RAFT_APPEND_BYTES_MAX,
  messageBytesMax: MESSAGE_BYTES_MAX,
})
