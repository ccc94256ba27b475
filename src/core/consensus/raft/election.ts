/**
 * Leader election with pre-vote (Raft thesis §9.6). A node whose election timer fires first asks
 * for pre-votes without touching its term; only with a majority of pre-votes does it raise its
 * term and ask for real votes. Nodes that heard from a leader within the minimum election
 * timeout refuse both, so a node returning from a partition cannot depose a stable leader.
 */
import type {NodeId} from '../engine.js'
import type {RaftMessage} from './messages.js'
import {appendNoop, broadcastAppend} from './replication.js'
import type {RaftState} from './state.js'

export function becomeFollower(state: RaftState, term: number, leader: NodeId | undefined): void {
  if (term > state.term) {
    state.term = term
    state.votedFor = undefined
    state.markDirty()
  }
  state.role = 'follower'
  state.leader = leader
  state.awaitingProposal = undefined
  state.queue.clearProposal()
  state.resetElectionTimeout()
}

export function campaign(state: RaftState, pre: boolean): void {
  if (!state.mayCampaign()) return
  state.votes.clear()
  state.votes.set(state.self, true)
  state.leader = undefined
  state.resetElectionTimeout()
  if (pre) {
    state.role = 'pre-candidate'
  } else {
    state.role = 'candidate'
    state.term++
    state.votedFor = state.self
    state.markDirty()
  }
  if (countVotes(state, pre)) return
  const type = pre ? 'pre-vote' : 'vote'
  const term = pre ? state.term + 1 : state.term
  for (const member of state.members()) {
    if (member !== state.self) state.send(member, {type, term, lastIndex: state.log.lastIndex(), lastTerm: state.log.lastTerm()})
  }
}

export function onVoteRequest(state: RaftState, from: NodeId, message: Extract<RaftMessage, {type: 'pre-vote' | 'vote'}>): void {
  const upToDate = state.log.isUpToDate(message.lastIndex, message.lastTerm)
  if (message.type === 'pre-vote') {
    const granted = message.term > state.term && upToDate && !state.inLease()
    state.send(from, {type: 'pre-vote-response', term: granted ? message.term : state.term, granted})
    return
  }
  // The caller already moved us to message.term if it was higher (and we were not in a lease).
  const granted = message.term === state.term && (state.votedFor === undefined || state.votedFor === from) && upToDate
  if (granted) {
    state.votedFor = from
    state.markDirty()
    state.resetElectionTimeout()
  }
  state.send(from, {type: 'vote-response', term: state.term, granted})
}

export function onVoteResponse(state: RaftState, from: NodeId, message: Extract<RaftMessage, {type: 'pre-vote-response' | 'vote-response'}>): void {
  const pre = message.type === 'pre-vote-response'
  if (pre ? state.role !== 'pre-candidate' || message.term !== state.term + 1 : state.role !== 'candidate' || message.term !== state.term) {
    return
  }
  if (!state.members().includes(from) || state.votes.has(from)) return
  state.votes.set(from, message.granted)
  countVotes(state, pre)
}

/** Returns true if the election is decided (won or lost). */
function countVotes(state: RaftState, pre: boolean): boolean {
  const members = state.members()
  let granted = 0
  let rejected = 0
  for (const [voter, vote] of state.votes) {
    if (!members.includes(voter)) continue
    if (vote) granted++
    else rejected++
  }
  if (granted >= state.majority()) {
    if (pre) campaign(state, false)
    else becomeLeader(state)
    return true
  }
  if (rejected >= state.majority()) {
    becomeFollower(state, state.term, undefined)
    return true
  }
  return false
}

function becomeLeader(state: RaftState): void {
  state.role = 'leader'
  state.leader = state.self
  state.heartbeatElapsedTicks = 0
  state.progress.clear()
  for (const member of state.members()) {
    state.progress.set(member, {match: 0, next: state.log.lastIndex() + 1, appliedHeight: 0})
  }
  // Raft §5.4.2: entries of earlier terms commit only under an entry of the leader's own term.
  appendNoop(state)
  broadcastAppend(state)
}
