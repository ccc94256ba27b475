/**
 * A hand-driven cluster for interaction tests (etcd raft's "deliver-msgs / stabilize" style): the
 * test decides which messages are delivered, dropped or held, which nodes tick, crash or restart.
 * Each node follows the real driver order: persist, send, apply (+ reconfigure), advance, propose.
 */
import type {CommittedBlock, ConsensusEngine, NodeId, Ready} from '../../../../src/core/consensus/engine.js'
import {createPbftEngine, type PbftTiming} from '../../../../src/core/consensus/pbft/index.js'
import {createRaftEngine, type RaftLimits, type RaftTiming} from '../../../../src/core/consensus/raft/index.js'
import {decodeSimBlock, encodeSimBlock, GENESIS_HASH, simApplication} from '../../../../src/core/consensus/sim/application.js'
import {FakeKeyring} from '../../../../src/core/consensus/sim/crypto.js'
import {SimRandom} from '../../../../src/core/consensus/sim/random.js'

export interface Message {
  readonly from: NodeId
  readonly to: NodeId
  readonly bytes: Uint8Array
}

export interface ClusterOptions {
  readonly kind: 'pbft' | 'raft'
  readonly validators: number
  /** Extra nodes that start as observers (for membership tests). */
  readonly observers?: number
  readonly timing?: Partial<PbftTiming> & Partial<RaftTiming>
  readonly limits?: Partial<RaftLimits>
  readonly seed?: number
  /** Nodes whose proposal requests the test answers by hand (autoPropose off from the start). */
  readonly manualProposers?: readonly NodeId[]
}

export class TestNode {
  engine: ConsensusEngine | undefined
  persisted: Uint8Array | undefined
  readonly chain: CommittedBlock[] = []
  readonly proposals: number[] = []
  readonly syncRequests: NonNullable<Ready['syncRequest']>[] = []
  /** Set to false to answer proposal requests by hand. */
  autoPropose = true
  salt = 0

  constructor(readonly id: NodeId) {}

  get height(): number {
    return this.chain.length
  }

  tipHash(): Uint8Array {
    return this.chain.length === 0 ? GENESIS_HASH : this.chain[this.chain.length - 1]!.certificate.blockHash
  }

  block(height: number, salt = this.salt++, validators?: readonly NodeId[]): Uint8Array {
    return encodeSimBlock({height, parent: this.tipHash(), proposer: this.id, salt, validators})
  }
}

export class Cluster {
  readonly keyring: FakeKeyring
  readonly ids: NodeId[]
  readonly validators: NodeId[]
  readonly nodes = new Map<NodeId, TestNode>()
  outbox: Message[] = []
  /** The validator set an automatically proposed block of `height` installs (a config tx). */
  configAt: {height: number; validators: readonly NodeId[]} | undefined
  /** Messages matching this are silently dropped when sent (a broken link). */
  dropWhen: ((message: Message) => boolean) | undefined
  private readonly random: SimRandom

  constructor(private readonly options: ClusterOptions) {
    const total = options.validators + (options.observers ?? 0)
    this.ids = Array.from({length: total}, (_, index) => `n${index}`)
    this.validators = this.ids.slice(0, options.validators)
    this.keyring = new FakeKeyring(this.ids, options.seed ?? 1)
    this.random = new SimRandom(options.seed ?? 1)
    for (const id of this.ids) {
      const node = new TestNode(id)
      node.autoPropose = !(options.manualProposers ?? []).includes(id)
      this.nodes.set(id, node)
      this.start(id)
    }
  }

  node(id: NodeId): TestNode {
    return this.nodes.get(id)!
  }

  engine(id: NodeId): ConsensusEngine {
    return this.node(id).engine!
  }

  start(id: NodeId): void {
    const node = this.node(id)
    const application = simApplication(() => node.tipHash())
    const random = this.random.fork()
    const common = {
      crypto: this.keyring.cryptoFor(id),
      application,
      validators: this.validatorsAfter(node),
      lastCommitted: {height: node.height, blockHash: node.tipHash()},
      persisted: node.persisted,
      timing: this.options.timing,
    }
    node.engine = this.options.kind === 'pbft' ? createPbftEngine(common) : createRaftEngine({...common, random: () => random.next(), limits: this.options.limits})
    this.process(id)
  }

  crash(id: NodeId): void {
    this.node(id).engine = undefined
    this.outbox = this.outbox.filter((message) => message.to !== id)
  }

  restart(id: NodeId): void {
    this.start(id)
  }

  process(id: NodeId): void {
    const node = this.node(id)
    for (let i = 0; node.engine?.hasReady(); i++) {
      if (i > 100) throw new Error(`${id} does not settle`)
      const ready = node.engine.ready()
      if (ready.persist !== undefined) node.persisted = ready.persist
      for (const {to, bytes} of ready.messages) {
        const targets = to === 'broadcast' ? this.ids.filter((other) => other !== id) : [to]
        for (const target of targets) this.send({from: id, to: target, bytes})
      }
      for (const block of ready.committed) this.apply(node, block)
      node.engine.advance(ready)
      if (ready.syncRequest !== undefined) node.syncRequests.push(ready.syncRequest)
      if (ready.proposeHeight !== undefined) {
        node.proposals.push(ready.proposeHeight)
        const height = ready.proposeHeight
        const config = this.configAt?.height === height ? this.configAt.validators : undefined
        if (node.autoPropose && height === node.height + 1) node.engine.propose(height, node.block(height, undefined, config))
      }
    }
  }

  /**
   * Delivers the messages sent so far that match `filter` (not the ones they provoke); the others
   * stay queued. Returns how many were delivered.
   */
  deliver(filter: (message: Message) => boolean = () => true): number {
    const batch = this.outbox.filter(filter)
    this.outbox = this.outbox.filter((message) => !filter(message))
    for (const message of batch) {
      const engine = this.node(message.to).engine
      if (engine === undefined) continue
      engine.step(message.from, message.bytes)
      this.process(message.to)
    }
    return batch.length
  }

  /** Throws away queued messages matching `filter` (all by default). */
  drop(filter: (message: Message) => boolean = () => true): void {
    this.outbox = this.outbox.filter((message) => !filter(message))
  }

  /** Delivers matching messages until none is left (bounded); others stay queued. */
  stabilize(filter: (message: Message) => boolean = () => true): void {
    for (let round = 0; this.deliver(filter) > 0; round++) {
      if (round > 200) throw new Error('cluster does not stabilize')
    }
  }

  tick(ids: readonly NodeId[] = this.ids, times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const id of ids) {
        this.node(id).engine?.tick()
        this.process(id)
      }
    }
  }

  /** Delivers round after round, ticking everyone whenever nothing is in flight, until `done`. */
  run(done: () => boolean, ticksMax = 500): void {
    let ticks = 0
    for (let round = 0; !done(); round++) {
      if (round > 100_000) throw new Error('too many delivery rounds')
      if (this.deliver() > 0) continue
      if (ticks++ >= ticksMax) throw new Error(`not done after ${ticksMax} ticks (heights ${this.heights().join(',')})`)
      this.tick()
    }
  }

  heights(): number[] {
    return this.ids.map((id) => this.node(id).height)
  }

  /** Feeds blocks from `source`'s chain to `target` through block sync (`stepCommitted`). */
  syncFrom(source: NodeId, target: NodeId): number {
    const from = this.node(source)
    const to = this.node(target)
    let fed = 0
    while (to.height < from.height && to.engine!.stepCommitted(from.chain[to.height]!)) {
      this.process(target)
      fed++
    }
    return fed
  }

  private send(message: Message): void {
    if (this.dropWhen?.(message)) return
    this.outbox.push(message)
  }

  private apply(node: TestNode, block: CommittedBlock): void {
    if (block.height !== node.height + 1) throw new Error(`${node.id} applied ${block.height} on ${node.height}`)
    node.chain.push(block)
    const validators = decodeSimBlock(block.payload)?.validators
    if (validators !== undefined) node.engine!.reconfigure(block.height + 1, validators)
  }

  private validatorsAfter(node: TestNode): readonly NodeId[] {
    for (let i = node.chain.length - 1; i >= 0; i--) {
      const validators = decodeSimBlock(node.chain[i]!.payload)?.validators
      if (validators !== undefined) return validators
    }
    return this.validators
  }
}

/** A `dropWhen` that cuts `ids` off from everyone else. */
export const cutOff =
  (...ids: NodeId[]) =>
  (message: Message): boolean =>
    ids.includes(message.from) !== ids.includes(message.to)

/** The node that reports itself leader (Raft), among `among`. */
export function leaderOf(cluster: Cluster, among: readonly NodeId[] = cluster.ids): NodeId | undefined {
  return among.find((id) => cluster.node(id).engine?.status().role === 'leader')
}
