/**
 * The bookkeeping every engine shares for `hasReady` / `ready` / `advance`: outputs accumulate
 * here and `advance(ready)` removes exactly what that ready handed out, so inputs stepped while
 * the driver was persisting (an asynchronous driver) are never lost.
 */
import {assert} from '../assert.js'
import type {CommittedBlock, NodeId, OutboundMessage, Ready, SyncRequest} from './engine.js'

/** A bound on queued outputs: an engine that produces more is broken or under attack. */
export const OUTBOUND_MESSAGES_MAX = 4096

export class ReadyQueue {
  private messages: OutboundMessage[] = []
  private committed: CommittedBlock[] = []
  private proposeHeight: number | undefined
  private syncRequest: SyncRequest | undefined
  private stateVersion = 0
  private persistedVersion = 0
  private handedOut: {ready: Ready; version: number} | undefined

  constructor(private readonly encodeState: () => Uint8Array) {}

  send(to: NodeId | 'broadcast', bytes: Uint8Array): void {
    // Dropping is safe (every protocol retransmits); growing without bound is not.
    if (this.messages.length >= OUTBOUND_MESSAGES_MAX) return
    this.messages.push({to, bytes})
  }

  commit(block: CommittedBlock): void {
    const last = this.committed[this.committed.length - 1]
    assert(last === undefined || last.height + 1 === block.height, 'committed blocks leave in height order')
    this.committed.push(block)
  }

  requestProposal(height: number): void {
    this.proposeHeight = height
  }

  clearProposal(): void {
    this.proposeHeight = undefined
  }

  requestSync(request: SyncRequest): void {
    this.syncRequest = request
  }

  /** The durable state changed: the next ready carries it. */
  markDirty(): void {
    this.stateVersion++
  }

  pendingCommitted(): readonly CommittedBlock[] {
    return this.committed
  }

  hasReady(): boolean {
    return (
      this.messages.length > 0 ||
      this.committed.length > 0 ||
      this.stateVersion !== this.persistedVersion ||
      this.proposeHeight !== undefined ||
      this.syncRequest !== undefined
    )
  }

  take(): Ready {
    const dirty = this.stateVersion !== this.persistedVersion
    const ready: Ready = Object.freeze({
      persist: dirty ? this.encodeState() : undefined,
      messages: Object.freeze(this.messages.slice()),
      committed: Object.freeze(this.committed.slice()),
      proposeHeight: this.proposeHeight,
      syncRequest: this.syncRequest,
    })
    this.handedOut = {ready, version: this.stateVersion}
    return ready
  }

  /** Removes what `ready` handed out; returns the blocks the driver has now applied. */
  advance(ready: Ready): readonly CommittedBlock[] {
    assert(this.handedOut?.ready === ready, 'advance() takes the last ready() result')
    this.messages.splice(0, ready.messages.length)
    const applied = this.committed.splice(0, ready.committed.length)
    if (ready.persist !== undefined) this.persistedVersion = this.handedOut.version
    if (ready.proposeHeight !== undefined && this.proposeHeight === ready.proposeHeight) this.proposeHeight = undefined
    if (ready.syncRequest !== undefined && this.syncRequest === ready.syncRequest) this.syncRequest = undefined
    this.handedOut = undefined
    return applied
  }
}
