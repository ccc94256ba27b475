/**
 * Proposals and single-server membership changes (Raft thesis §4.1-4.2). The chain tells every
 * node its wanted validator set through `reconfigure`; the leader walks the log's member list
 * towards it one server at a time (add first, then remove) with config entries, each in effect
 * once appended. Any majority of the old list and any of the new share a server, so no two
 * leaders can be elected in one term. A leader appends a config entry only when everything in
 * its log is committed, including an entry of its own term (the 2015 single-server fix), and
 * proposes a block only when no change is pending, so every block of height h is signed by a
 * leader in the chain's set for h. A leader that removed itself steps down once that commits.
 */
import type {NodeId} from '../engine.js'
import {becomeFollower} from './election.js'
import {appendEntry, broadcastAppend} from './replication.js'
import type {RaftState} from './state.js'

/** Leader: the next thing to append, if the log is idle (everything committed and applied). */
export function maybeProposeOrReconfigure(state: RaftState): void {
  if (state.role !== 'leader') return
  const log = state.log
  if (state.commitIndex < log.lastIndex() || state.appliedIndex < state.commitIndex) return
  if (state.queue.pendingCommitted().length > 0 || log.term(state.commitIndex) !== state.term) return
  if (!state.isMember()) return becomeFollower(state, state.term, undefined)
  const height = state.appliedHeight + 1
  const step = nextConfigStep(state.members(), state.schedule.at(height))
  if (step !== undefined) {
    appendEntry(state, {term: state.term, height: log.lastHeight(), kind: 'config', config: step})
    broadcastAppend(state)
    return
  }
  if (state.awaitingProposal === height) return
  state.awaitingProposal = height
  state.queue.requestProposal(height)
}

/** One server closer to `wanted`: add the first missing one, else remove the first extra one. */
export function nextConfigStep(members: readonly NodeId[], wanted: readonly NodeId[]): readonly NodeId[] | undefined {
  const missing = wanted.find((id) => !members.includes(id))
  if (missing !== undefined) return Object.freeze([...members, missing])
  const extra = members.find((id) => !wanted.includes(id))
  if (extra !== undefined) return Object.freeze(members.filter((id) => id !== extra))
  return undefined
}
