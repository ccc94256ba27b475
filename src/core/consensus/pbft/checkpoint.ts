/**
 * Checkpoints. Every `checkpointInterval` heights each validator signs (height, block hash); a
 * quorum of matching signatures makes the checkpoint stable. More than `heightWindow` heights
 * below it this replica forgets the committed blocks it kept for lagging peers (they use block
 * sync instead), and a stable checkpoint above our own height proves, with a quorum, that we are
 * behind.
 */
import {bytesEqual, toHex} from '../../bytes.js'
import type {NodeId} from '../engine.js'
import type {CatchUp} from './catch-up.js'
import type {CheckpointBody, Signed} from './messages.js'
import {verifyMessage} from './signing.js'
import type {PbftState} from './state.js'

/** Heights ahead of the stable checkpoint whose votes we keep. */
const CHECKPOINTS_TRACKED_MAX = 8

export class Checkpoints {
  stableHeight = 0
  private readonly votes = new Map<number, Map<NodeId, Uint8Array>>()

  constructor(
    private readonly state: PbftState,
    private readonly catchUp: CatchUp,
  ) {}

  /** After applying block `height`: sign a checkpoint if it is time. */
  onApplied(height: number, blockHash: Uint8Array): void {
    const state = this.state
    if (height % state.timing.checkpointInterval !== 0 || !state.isValidator(height)) return
    const checkpoint = state.sign<CheckpointBody>({type: 'checkpoint', height, view: 0, signer: state.self, digest: blockHash})
    state.broadcast(checkpoint)
    this.record(height, state.self, blockHash)
  }

  onCheckpoint(signed: Signed<CheckpointBody>): void {
    const state = this.state
    const {height, signer, digest} = signed.body
    const interval = state.timing.checkpointInterval
    if (height <= this.stableHeight || height % interval !== 0) return
    if (height > Math.max(state.height, this.stableHeight) + interval * CHECKPOINTS_TRACKED_MAX) return
    if (!state.validators(height).includes(signer) || this.votes.get(height)?.has(signer)) return
    if (!verifyMessage(state.crypto, signed)) return
    this.record(height, signer, digest)
  }

  private record(height: number, signer: NodeId, digest: Uint8Array): void {
    const state = this.state
    let bySigner = this.votes.get(height)
    if (bySigner === undefined) {
      if (this.votes.size >= CHECKPOINTS_TRACKED_MAX) return
      bySigner = new Map()
      this.votes.set(height, bySigner)
    }
    bySigner.set(signer, digest)
    const matching = [...bySigner.values()].filter((other) => bytesEqual(other, digest)).length
    if (matching < state.quorum(height)) return
    this.stableHeight = height
    for (const tracked of this.votes.keys()) if (tracked <= height) this.votes.delete(tracked)
    this.catchUp.forgetBelow(height - state.limits.heightWindow)
    if (height >= state.height) this.catchUp.requestSync(height, undefined)
    state.logger.debug('stable checkpoint', {height, blockHash: toHex(digest)})
  }
}
