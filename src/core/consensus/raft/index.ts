/** Raft (Ongaro & Ousterhout) with pre-vote and single-server membership changes: see engine.ts. */
import {RaftEngine} from './engine.js'
import type {RaftOptions} from './options.js'

export {RaftEngine} from './engine.js'
export {RAFT_LIMITS_DEFAULTS, RAFT_TIMING_DEFAULTS, type RaftLimits, type RaftOptions, type RaftTiming} from './options.js'
export {nextConfigStep} from './membership.js'
export {decodeRaftMessage, encodeRaftMessage, type RaftEntry, type RaftMessage} from './messages.js'

export function createRaftEngine(options: RaftOptions): RaftEngine {
  return new RaftEngine(options)
}
