/**
 * `runSimulation({seed, ...})`: a deterministic run of 4–7 engines over a faulty network. Phase 1
 * (`faultTicks`) injects the seed's fault schedule: drops, duplicates, delays, partitions,
 * crashes and restarts, and a Byzantine validator for PBFT. Phase 2 heals everything and demands
 * liveness: every correct node reaches the target height within `livenessTicks`. Safety and
 * certificates are checked on every applied block throughout. Any failure throws a
 * SimulationFailure naming the seed, the options and the fault schedule.
 */
import type {ConsensusCrypto, ConsensusEngine, NodeId} from '../engine.js'
import {createPbftEngine, type PbftTiming} from '../pbft/index.js'
import {createRaftEngine, type RaftTiming} from '../raft/index.js'
import {ByzantineBehaviour} from './byzantine.js'
import {SafetyChecker} from './checker.js'
import {FakeKeyring} from './crypto.js'
import {describeFault, planFaults, type FaultEvent} from './faults.js'
import {SimNetwork, type LinkFaults} from './network.js'
import {SimNode, type EngineFactoryInput} from './node.js'

export type {EngineFactoryInput} from './node.js'
import {SimRandom} from './random.js'

export type SimEngineKind = 'pbft' | 'raft'

export interface SimulationOptions {
  readonly seed: number
  readonly engine: SimEngineKind
  /** Initial validators (4–7 is the intended range). */
  readonly validators: number
  /** PBFT only: how many of the validators are Byzantine (at most f). */
  readonly byzantine?: number
  /** Every correct node must reach this height after the faults heal. */
  readonly targetHeight?: number
  readonly faultTicks?: number
  readonly livenessTicks?: number
  readonly network?: Partial<LinkFaults>
  readonly partitions?: boolean
  readonly crashes?: boolean
  /** Change the validator set through the config block at `atHeight`: add new nodes, remove old ones. */
  readonly membership?: {readonly atHeight: number; readonly add?: number; readonly remove?: number}
  /** Real crypto instead of the fake keyring; node ids become `crypto.self`. */
  readonly createCrypto?: (index: number) => ConsensusCrypto
  readonly timing?: Partial<PbftTiming> & Partial<RaftTiming>
  /** Replaces the engine construction (to test the simulator itself against a broken engine). */
  readonly engineFactory?: (input: EngineFactoryInput, self: NodeId) => ConsensusEngine
}

export interface SimulationResult {
  readonly seed: number
  readonly ticks: number
  readonly heights: Readonly<Record<NodeId, number>>
  readonly messagesSent: number
  readonly blocksChecked: number
  readonly faults: readonly string[]
}

export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    readonly reason: string,
    readonly faults: readonly string[],
    options: SimulationOptions,
  ) {
    const replay = JSON.stringify({...options, createCrypto: undefined, engineFactory: undefined})
    super(`simulation failed, seed ${seed}: ${reason}\n  replay: runSimulation(${replay})\n  faults: ${faults.join('; ') || 'none'}`)
    this.name = 'SimulationFailure'
  }
}

const CALM_NETWORK: LinkFaults = {dropRate: 0.01, duplicateRate: 0.02, delayTicksMin: 1, delayTicksMax: 3}
const FAULTY_NETWORK: LinkFaults = {dropRate: 0.1, duplicateRate: 0.05, delayTicksMin: 1, delayTicksMax: 8}
/** Nodes poll a random peer for blocks this often, as the network layer's block sync would. */
const SYNC_POLL_TICKS = 40

export function runSimulation(options: SimulationOptions): SimulationResult {
  const world = buildWorld(options)
  try {
    return world.run()
  } catch (error) {
    if (error instanceof SimulationFailure) throw error
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error)
    throw new SimulationFailure(options.seed, reason, world.faults.map(describeFault), options)
  }
}

function buildWorld(options: SimulationOptions): World {
  return new World(options)
}

class World {
  readonly faults: FaultEvent[]
  private readonly random: SimRandom
  private readonly network: SimNetwork
  private readonly nodes: SimNode[] = []
  private readonly byzantine = new Set<NodeId>()
  private tick = 0

  constructor(private readonly options: SimulationOptions) {
    const root = new SimRandom(options.seed)
    const plannerRandom = root.fork()
    this.random = root.fork()
    const added = options.membership?.add ?? 0
    const total = options.validators + added
    const keyring = new FakeKeyring(Array.from({length: total}, (_, index) => `n${index}`), options.seed)
    const cryptos = Array.from({length: total}, (_, index) => options.createCrypto?.(index) ?? keyring.cryptoFor(`n${index}`))
    const ids = cryptos.map((crypto) => crypto.self)
    const initial = ids.slice(0, options.validators)
    const config = membershipConfig(options, ids)
    this.network = new SimNetwork(this.random.fork(), {...FAULTY_NETWORK, ...options.network})
    const byzantineCount = options.engine === 'pbft' ? (options.byzantine ?? 0) : 0
    if (byzantineCount > Math.floor((options.validators - 1) / 3)) throw new RangeError('more Byzantine validators than PBFT tolerates')
    for (const id of this.random.shuffle(initial).slice(0, byzantineCount)) this.byzantine.add(id)
    const verify = (signer: NodeId, message: Uint8Array, signature: Uint8Array): boolean => cryptos[0]!.verify(signer, message, signature)
    const checker = new SafetyChecker(initial, options.engine, verify, (payload) => cryptos[0]!.hash(payload))
    this.checker = checker
    const context = {
      random: this.random,
      network: this.network,
      checker,
      allNodes: ids,
      initialValidators: initial,
      now: () => this.tick,
      createEngine: (input: EngineFactoryInput) => options.engineFactory?.(input, input.crypto.self) ?? createEngine(options, input),
      configFor: (height: number) => (config !== undefined && height === config.atHeight ? config.validators : undefined),
    }
    for (const [index, id] of ids.entries()) this.nodes.push(new SimNode(id, cryptos[index]!, context))
    for (const node of this.nodes) if (this.byzantine.has(node.id)) node.byzantine = this.byzantineFor(node, ids)
    this.faults = planFaults(plannerRandom, {
      nodes: ids,
      crashable: ids.filter((id) => !this.byzantine.has(id)),
      faultTicks: this.faultTicks,
      partitions: options.partitions ?? true,
      crashes: options.crashes ?? true,
    })
  }

  private readonly checker: SafetyChecker

  private get faultTicks(): number {
    return this.options.faultTicks ?? 300
  }

  run(): SimulationResult {
    const livenessTicks = this.options.livenessTicks ?? 3000
    let target = this.options.targetHeight ?? 10
    let events = 0
    for (; this.tick < this.faultTicks + livenessTicks; this.tick++) {
      while (events < this.faults.length && this.faults[events]!.tick <= this.tick) this.applyFault(this.faults[events++]!)
      if (this.tick === this.faultTicks) {
        this.healEverything()
        target = Math.max(target, Math.max(...this.correctNodes().map((node) => node.height)) + 3)
      }
      this.step()
      if (this.tick >= this.faultTicks && this.correctNodes().every((node) => node.height >= target)) return this.result()
    }
    const heights = this.correctNodes().map((node) => `${node.id}@${node.height}`).join(' ')
    throw new Error(`LIVENESS: correct nodes did not all reach height ${target} within ${livenessTicks} ticks after healing (${heights})`)
  }

  private step(): void {
    for (const envelope of this.network.takeDue(this.tick)) this.nodeById(envelope.to).deliver(envelope.from, envelope.message)
    for (const node of this.nodes) {
      node.tick()
      if (this.tick % SYNC_POLL_TICKS === this.nodes.indexOf(node) % SYNC_POLL_TICKS) node.requestSync()
    }
  }

  private applyFault(event: FaultEvent): void {
    switch (event.kind) {
      case 'partition':
        return this.network.partition(event.groups)
      case 'heal':
        return this.network.heal()
      case 'degrade-links':
        return this.network.degradeLinks(event.links)
      case 'restore-links':
        return this.network.restoreLinks()
      case 'crash':
        return this.nodeById(event.node).crash(event.point)
      case 'restart':
        return this.nodeById(event.node).restart()
    }
  }

  private healEverything(): void {
    this.network.heal()
    this.network.restoreLinks()
    this.network.faults = {...CALM_NETWORK}
    for (const node of this.nodes) node.restart()
  }

  private correctNodes(): SimNode[] {
    return this.nodes.filter((node) => !this.byzantine.has(node.id))
  }

  private nodeById(id: NodeId): SimNode {
    const node = this.nodes.find((candidate) => candidate.id === id)
    if (node === undefined) throw new Error(`no node ${id}`)
    return node
  }

  private byzantineFor(node: SimNode, ids: readonly NodeId[]): ByzantineBehaviour {
    return new ByzantineBehaviour({
      random: this.random.fork(),
      crypto: node.crypto,
      peers: () => ids.filter((id) => id !== node.id),
      alternativeBlock: (height) => (height === node.height + 1 ? node.buildBlock(height) : undefined),
      digest: (payload) => node.crypto.hash(payload),
      height: () => node.height + 1,
    })
  }

  private result(): SimulationResult {
    return {
      seed: this.options.seed,
      ticks: this.tick,
      heights: Object.fromEntries(this.nodes.map((node) => [node.id, node.height])),
      messagesSent: this.network.sent,
      blocksChecked: this.checker.blocksChecked,
      faults: this.faults.map(describeFault),
    }
  }
}

function membershipConfig(options: SimulationOptions, ids: readonly NodeId[]): {atHeight: number; validators: NodeId[]} | undefined {
  const membership = options.membership
  if (membership === undefined) return undefined
  const kept = ids.slice(membership.remove ?? 0, options.validators)
  const added = ids.slice(options.validators, options.validators + (membership.add ?? 0))
  return {atHeight: membership.atHeight, validators: [...kept, ...added]}
}

function createEngine(options: SimulationOptions, input: EngineFactoryInput): ConsensusEngine {
  const common = {
    crypto: input.crypto,
    application: input.application,
    validators: input.validators,
    lastCommitted: input.lastCommitted,
    persisted: input.persisted,
    timing: options.timing,
  }
  if (options.engine === 'pbft') return createPbftEngine(common)
  return createRaftEngine({...common, random: () => input.random.next()})
}
