/**
 * One simulated node and its driver, in the order the real node must follow: persist, send,
 * apply (calling `reconfigure` for a config block), advance, then propose if asked. What survives
 * a crash is exactly what a real node keeps on disk: the last persisted bytes and the applied chain.
 */
import type {CommittedBlock, ConsensusApplication, ConsensusCrypto, ConsensusEngine, NodeId, OutboundMessage, Ready, SyncRequest} from '../engine.js'
import {decodeSimBlock, encodeSimBlock, GENESIS_HASH, simApplication} from './application.js'
import type {ByzantineBehaviour} from './byzantine.js'
import type {SafetyChecker} from './checker.js'
import type {CrashPoint} from './faults.js'
import type {SimMessage, SimNetwork} from './network.js'
import type {SimRandom} from './random.js'

export interface EngineFactoryInput {
  readonly crypto: ConsensusCrypto
  readonly application: ConsensusApplication
  readonly validators: readonly NodeId[]
  readonly lastCommitted: {readonly height: number; readonly blockHash: Uint8Array}
  readonly persisted: Uint8Array | undefined
  readonly random: SimRandom
}

export interface SimNodeContext {
  readonly random: SimRandom
  readonly network: SimNetwork
  readonly checker: SafetyChecker
  readonly allNodes: readonly NodeId[]
  readonly initialValidators: readonly NodeId[]
  readonly now: () => number
  readonly createEngine: (input: EngineFactoryInput) => ConsensusEngine
  /** The validator set a block proposed for `height` should install, if any. */
  readonly configFor: (height: number) => readonly NodeId[] | undefined
}

/** Readies handled per input: an engine that never settles is reported, not looped on forever. */
const READIES_PER_INPUT_MAX = 256
const SYNC_BLOCKS_PER_RESPONSE = 8

export class SimNode {
  alive = true
  engine: ConsensusEngine | undefined
  readonly chain: CommittedBlock[] = []
  private persisted: Uint8Array | undefined
  private pendingCrash: CrashPoint | undefined
  private salt = 0
  private readonly application: ConsensusApplication
  byzantine: ByzantineBehaviour | undefined

  constructor(
    readonly id: NodeId,
    readonly crypto: ConsensusCrypto,
    private readonly context: SimNodeContext,
  ) {
    this.application = simApplication(() => this.tipHash())
    this.start()
  }

  get height(): number {
    return this.chain.length
  }

  tipHash(): Uint8Array {
    return this.chain.length === 0 ? GENESIS_HASH : this.chain[this.chain.length - 1]!.certificate.blockHash
  }

  /** The validator set for the next height, as the chain itself records it. */
  validatorsForNext(): readonly NodeId[] {
    for (let i = this.chain.length - 1; i >= 0; i--) {
      const validators = decodeSimBlock(this.chain[i]!.payload)?.validators
      if (validators !== undefined) return validators
    }
    return this.context.initialValidators
  }

  crash(point: CrashPoint): void {
    if (!this.alive) return
    if (point === 'between-readies') this.stop()
    else this.pendingCrash = point
  }

  restart(): void {
    this.pendingCrash = undefined // a crash still waiting for its moment is called off
    if (this.alive) return
    this.alive = true
    this.start()
  }

  tick(): void {
    if (!this.alive) return
    this.engine!.tick()
    if (this.byzantine !== undefined) for (const message of this.byzantine.noise()) this.sendOut(message)
    this.process()
  }

  deliver(from: NodeId, message: SimMessage): void {
    if (!this.alive) return
    switch (message.kind) {
      case 'consensus':
        this.byzantine?.observe(message.bytes)
        this.engine!.step(from, message.bytes)
        return this.process()
      case 'sync-request': {
        const blocks = this.chain.slice(message.fromHeight - 1, message.fromHeight - 1 + SYNC_BLOCKS_PER_RESPONSE)
        if (blocks.length > 0) this.context.network.send(this.id, from, {kind: 'sync-response', blocks}, this.context.now())
        return
      }
      case 'sync-response':
        for (const block of message.blocks) {
          if (!this.alive || block.height !== this.height + 1) continue
          if (!this.engine!.stepCommitted(block)) break
          this.process()
        }
    }
  }

  /** Block sync, as the network layer does it: ask a peer for the blocks after our tip. */
  requestSync(request?: SyncRequest): void {
    if (!this.alive) return
    const peers = this.context.allNodes.filter((id) => id !== this.id)
    const peer = request?.peer !== undefined && request.peer !== this.id ? request.peer : this.context.random.pick(peers)
    this.context.network.send(this.id, peer, {kind: 'sync-request', fromHeight: this.height + 1}, this.context.now())
  }

  private start(): void {
    this.engine = this.context.createEngine({
      crypto: this.crypto,
      application: this.application,
      validators: this.validatorsForNext(),
      lastCommitted: {height: this.height, blockHash: this.tipHash()},
      persisted: this.persisted,
      random: this.context.random.fork(),
    })
    this.process()
  }

  private stop(): void {
    this.alive = false
    this.engine = undefined
    this.pendingCrash = undefined
  }

  process(): void {
    for (let i = 0; this.alive && this.engine!.hasReady(); i++) {
      if (i >= READIES_PER_INPUT_MAX) throw new Error(`${this.id}: engine did not settle after ${i} readies`)
      this.handle(this.engine!.ready())
    }
  }

  private handle(ready: Ready): void {
    const engine = this.engine!
    if (ready.persist !== undefined) this.persisted = ready.persist
    if (this.pendingCrash === 'after-persist' && ready.persist !== undefined) return this.stop()
    for (const message of ready.messages) this.sendOut(message)
    if (this.pendingCrash === 'after-send' && ready.committed.length > 0) return this.stop()
    for (const block of ready.committed) this.apply(block)
    engine.advance(ready)
    if (ready.syncRequest !== undefined) this.requestSync(ready.syncRequest)
    if (ready.proposeHeight !== undefined && ready.proposeHeight === this.height + 1) {
      engine.propose(ready.proposeHeight, this.buildBlock(ready.proposeHeight))
    }
  }

  buildBlock(height: number): Uint8Array {
    return encodeSimBlock({height, parent: this.tipHash(), proposer: this.id, salt: this.salt++, validators: this.context.configFor(height)})
  }

  private apply(block: CommittedBlock): void {
    // A Byzantine node's own chain is not checked: only correct nodes promise anything.
    if (this.byzantine === undefined) this.context.checker.onApply(this.id, block, {height: this.height, hash: this.tipHash()})
    else if (block.height !== this.height + 1) return
    this.chain.push(block)
    const validators = decodeSimBlock(block.payload)?.validators
    if (validators !== undefined) this.engine!.reconfigure(block.height + 1, validators)
  }

  private sendOut(message: OutboundMessage): void {
    const outgoing = this.byzantine !== undefined ? this.byzantine.rewrite(message) : [message]
    for (const {to, bytes} of outgoing) {
      const recipients = to === 'broadcast' ? this.context.allNodes.filter((id) => id !== this.id) : [to]
      for (const recipient of recipients) this.context.network.send(this.id, recipient, {kind: 'consensus', bytes}, this.context.now())
    }
  }
}
