/**
 * Whole-node scenarios: the chain's shape (engine, validators, tx sizes), the network's fault
 * rates, and a planner that turns a seed into a fault schedule (crashes, partitions, disk
 * faults, old stores, node-set changes). The schedule is data (FaultAction[]), saved in replay
 * files, so a replay runs exactly the faults of the failing run.
 */
import type {SimRandom} from '../consensus/sim/random.js'
import type {NetworkFaults} from './network.js'

export type FaultAction =
  | {readonly at: number; readonly kind: 'crash' | 'restart' | 'disk-fail' | 'disk-heal' | 'snapshot' | 'restore-old' | 'start'; readonly node: number}
  | {readonly at: number; readonly kind: 'partition'; readonly groups: readonly (readonly number[])[]}
  | {readonly at: number; readonly kind: 'heal-partition'}
  | {readonly at: number; readonly kind: 'add-node'; readonly node: number; readonly role: 'validator' | 'observer'}

export interface WholeNodeScenario {
  readonly name: string
  readonly engine: 'pbft' | 'raft'
  /** Genesis validators (nodes 0..validators-1); nodes beyond join through `add-node` + `start`. */
  readonly validators: number
  readonly nodes: number
  readonly txs: number
  /** Padding per tx (bytes), to fill blocks toward the frame and answer limits. */
  readonly padBytes: number
  readonly blockTxsMax: number
  readonly blockIntervalMs: number
  readonly tickMs: number
  /** Faults and client txs happen in [0, faultPhaseMs); then everything heals. */
  readonly faultPhaseMs: number
  /** After healing, every live node reaches the same head (with every tx) within this much virtual time. */
  readonly healBoundMs: number
  readonly faults: NetworkFaults
  /** Largest message (default the real frame's). */
  readonly messageBytesMax?: number
  /** A node that sends equivocating and garbage consensus messages and garbage sync answers (PBFT). */
  readonly byzantine?: number
  plan(random: SimRandom): FaultAction[]
}

/** The numbers a run (or a replay) may change in a named scenario. */
export type ScenarioOverrides = Partial<Pick<WholeNodeScenario, 'txs' | 'faultPhaseMs' | 'healBoundMs' | 'tickMs' | 'faults' | 'messageBytesMax'>>

const MILD: NetworkFaults = {dropRate: 0.02, resetRate: 0.003, duplicateRate: 0.02, reorderRate: 0.05, latencyMinMs: 1, latencyMaxMs: 30}
const CALM: NetworkFaults = {dropRate: 0, resetRate: 0, duplicateRate: 0, reorderRate: 0, latencyMinMs: 1, latencyMaxMs: 5}

/** Random crashes (each restarted later) and partitions inside the fault phase. */
function crashesAndPartitions(random: SimRandom, nodes: number, phaseMs: number, crashes: number, partitions: number): FaultAction[] {
  const actions: FaultAction[] = []
  for (let n = 0; n < crashes; n++) {
    const node = random.int(nodes)
    const at = random.between(100, phaseMs - 400)
    actions.push({at, kind: 'crash', node}, {at: Math.min(phaseMs - 50, at + random.between(100, 2000)), kind: 'restart', node})
  }
  for (let n = 0; n < partitions; n++) {
    const at = random.between(100, phaseMs - 400)
    const order = random.shuffle(Array.from({length: nodes}, (_, index) => index))
    const cut = random.between(1, nodes - 1)
    actions.push({at, kind: 'partition', groups: [order.slice(0, cut), order.slice(cut)]}, {at: Math.min(phaseMs - 50, at + random.between(200, 1500)), kind: 'heal-partition'})
  }
  return sorted(actions)
}

function sorted(actions: FaultAction[]): FaultAction[] {
  return actions.sort((a, b) => a.at - b.at)
}

const quick = {validators: 4, nodes: 4, txs: 16, padBytes: 0, blockTxsMax: 8, blockIntervalMs: 50, tickMs: 50, faultPhaseMs: 2500, healBoundMs: 30_000, faults: MILD}

function family(engine: 'pbft' | 'raft'): WholeNodeScenario[] {
  return [
    {...quick, name: `${engine}-quick`, engine, plan: (random) => crashesAndPartitions(random, 4, quick.faultPhaseMs, random.int(3), random.int(2))},
    {
      ...quick,
      name: `${engine}-old-store`,
      engine,
      plan: (random) => {
        const node = random.int(4)
        const at = random.between(200, 800)
        return sorted([{at, kind: 'snapshot', node}, {at: random.between(1500, 2200), kind: 'restore-old', node}, ...crashesAndPartitions(random, 4, quick.faultPhaseMs, 0, random.int(2))])
      },
    },
    {
      ...quick,
      name: `${engine}-disk-fault`,
      engine,
      plan: (random) => {
        const node = random.int(4)
        const at = random.between(200, 2000)
        return sorted([{at, kind: 'disk-fail', node}, {at: at + random.between(100, 1500), kind: 'disk-heal', node}, ...crashesAndPartitions(random, 4, quick.faultPhaseMs, random.int(2), 0)])
      },
    },
    {
      ...quick,
      name: `${engine}-add-node`,
      engine,
      nodes: 5,
      plan: (random) => {
        const at = random.between(200, 1500)
        const role = random.chance(0.7) ? 'validator' : 'observer'
        return sorted([{at, kind: 'add-node', node: 4, role}, {at: Math.min(quick.faultPhaseMs - 100, at + random.between(0, 1500)), kind: 'start', node: 4}, ...crashesAndPartitions(random, 4, quick.faultPhaseMs, random.int(2), random.int(2))])
      },
    },
    {
      // A node down for 100+ blocks of ~300 KB (64 of them exceed one 16 MiB frame), then restarted.
      // Its proposer turns cost a view change each (~2 s) while it is down: the phase is long.
      name: `${engine}-lagging`,
      engine,
      validators: 4,
      nodes: 4,
      txs: 550,
      padBytes: 60_000,
      blockTxsMax: 5,
      blockIntervalMs: 1,
      tickMs: 20,
      faultPhaseMs: 75_000,
      healBoundMs: 60_000,
      faults: CALM,
      plan: (random) => [{at: random.between(50, 150), kind: 'crash', node: 3}],
    },
  ]
}

export const WHOLE_NODE_SCENARIOS: readonly WholeNodeScenario[] = [
  ...family('pbft'),
  ...family('raft'),
  {...quick, name: 'pbft-byzantine', engine: 'pbft', byzantine: 3, plan: (random) => crashesAndPartitions(random, 3, quick.faultPhaseMs, random.int(2), random.int(2))},
]

export function wholeNodeScenario(name: string): WholeNodeScenario {
  const scenario = WHOLE_NODE_SCENARIOS.find((candidate) => candidate.name === name)
  if (scenario === undefined) throw new Error(`no whole-node scenario "${name}"; known: ${WHOLE_NODE_SCENARIOS.map((s) => s.name).join(', ')}`)
  return scenario
}
