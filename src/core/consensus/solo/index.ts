/**
 * Solo: one validator, for development and the quickstart. It asks for a block every
 * `proposeIntervalTicks`, commits it at once with a one-signature certificate and waits for the
 * driver to apply it before asking for the next one.
 */
import {bytesEqual} from '../../bytes.js'
import {assert} from '../../assert.js'
import {commitCertificateProblem, soloCommitSignBytes} from '../certificate.js'
import type {CommittedBlock, ConsensusEngine, EngineOptions, NodeId, Ready} from '../engine.js'
import {ReadyQueue} from '../ready-queue.js'
import {ValidatorSchedule} from '../validator-schedule.js'

export interface SoloOptions extends EngineOptions {
  /** Ticks between blocks (the driver may still decline a request, e.g. with an empty mempool). */
  readonly proposeIntervalTicks?: number
}

export function createSoloEngine(options: SoloOptions): ConsensusEngine {
  return new SoloEngine(options)
}

class SoloEngine implements ConsensusEngine {
  readonly kind = 'solo' as const
  private readonly queue = new ReadyQueue(() => new Uint8Array(0))
  private readonly schedule: ValidatorSchedule
  private readonly intervalTicks: number
  private height: number
  private waitingForApply = false
  private ticksSinceRequest = 0

  constructor(private readonly options: SoloOptions) {
    this.height = options.lastCommitted.height + 1
    this.schedule = new ValidatorSchedule(this.height, options.validators)
    this.intervalTicks = Math.max(1, options.proposeIntervalTicks ?? 1)
  }

  tick(): void {
    if (this.waitingForApply || !this.isValidator()) return
    this.ticksSinceRequest++
    if (this.ticksSinceRequest < this.intervalTicks) return
    this.queue.requestProposal(this.height)
    this.ticksSinceRequest = 0
  }

  step(): void {
    // A solo chain has no peers; anything arriving is ignored.
  }

  propose(height: number, payload: Uint8Array): void {
    if (height !== this.height || this.waitingForApply || !this.isValidator()) return
    // The driver proposes what it built and executed itself: an invalid one is a bug in it.
    assert(this.options.application.validate(height, payload), `the driver proposed a block for height ${height} that is not valid`)
    const blockHash = this.options.application.digest(payload)
    const signature = this.options.crypto.sign(soloCommitSignBytes(height, blockHash))
    this.commit({
      height,
      payload,
      certificate: {kind: 'solo', height, blockHash, round: 0, signatures: [{signer: this.options.crypto.self, signature}]},
    })
  }

  stepCommitted(block: CommittedBlock): boolean {
    if (block.height !== this.height || this.waitingForApply) return false
    const problem = commitCertificateProblem(block.certificate, this.schedule.at(block.height), (signer, message, signature) =>
      this.options.crypto.verify(signer, message, signature),
    )
    if (problem !== undefined || block.certificate.height !== block.height) return false
    if (!bytesEqual(this.options.application.digest(block.payload), block.certificate.blockHash)) return false
    this.commit(block)
    return true
  }

  reconfigure(height: number, validators: readonly NodeId[]): void {
    assert(Number.isSafeInteger(height) && height > this.height, `cannot change the validators of height ${height}: it is already being decided`)
    this.schedule.set(height, validators)
  }

  hasReady(): boolean {
    return this.queue.hasReady()
  }

  ready(): Ready {
    return this.queue.take()
  }

  advance(ready: Ready): void {
    for (const block of this.queue.advance(ready)) {
      this.height = block.height + 1
      this.waitingForApply = false
      this.ticksSinceRequest = 0
    }
  }

  status(): {height: number; round: number; leader: NodeId | undefined; role: string; validators: readonly NodeId[]} {
    const validators = this.schedule.at(this.height)
    return {height: this.height, round: 0, leader: validators[0], role: this.isValidator() ? 'leader' : 'observer', validators}
  }

  private isValidator(): boolean {
    return this.schedule.at(this.height).includes(this.options.crypto.self)
  }

  private commit(block: CommittedBlock): void {
    this.queue.commit(block)
    this.waitingForApply = true
    this.queue.clearProposal()
  }
}
