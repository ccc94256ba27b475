/**
 * The fault schedule of a run, drawn from the seed before the run starts: partitions that heal,
 * crashes (some in the middle of handling a ready, after its state was persisted) and restarts.
 * Its summary goes into every failure report so a failing seed can be understood and replayed.
 */
import type {NodeId} from '../engine.js'
import type {SimRandom} from './random.js'

export type CrashPoint = 'between-readies' | 'after-persist' | 'after-send'

export type FaultEvent =
  | {readonly tick: number; readonly kind: 'partition'; readonly groups: readonly (readonly NodeId[])[]}
  | {readonly tick: number; readonly kind: 'heal'}
  | {readonly tick: number; readonly kind: 'degrade-links'; readonly links: readonly (readonly [NodeId, NodeId, number])[]}
  | {readonly tick: number; readonly kind: 'restore-links'}
  | {readonly tick: number; readonly kind: 'crash'; readonly node: NodeId; readonly point: CrashPoint}
  | {readonly tick: number; readonly kind: 'restart'; readonly node: NodeId}

export interface FaultPlanOptions {
  readonly nodes: readonly NodeId[]
  /** Nodes that may crash (Byzantine nodes never do: they misbehave instead). */
  readonly crashable: readonly NodeId[]
  readonly faultTicks: number
  readonly partitions: boolean
  readonly crashes: boolean
}

const PARTITIONS_MAX = 3
const DEGRADATIONS_MAX = 6
const CRASHES_MAX = 4
const CRASH_POINTS: readonly CrashPoint[] = ['between-readies', 'after-persist', 'after-send']

export function planFaults(random: SimRandom, options: FaultPlanOptions): FaultEvent[] {
  const events: FaultEvent[] = []
  const last = Math.max(1, options.faultTicks)
  if (options.partitions) {
    for (let i = random.int(PARTITIONS_MAX + 1); i > 0; i--) {
      const start = random.int(last)
      const shuffled = random.shuffle(options.nodes)
      const cut = random.between(1, shuffled.length - 1)
      events.push({tick: start, kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)]})
      events.push({tick: Math.min(last, start + random.between(10, 120)), kind: 'heal'})
    }
  }
  if (options.partitions) {
    // Some directed links lose most messages for a while: some nodes hear a quorum, others not.
    for (let i = random.int(DEGRADATIONS_MAX + 1); i > 0; i--) {
      const start = random.int(last)
      const links: [NodeId, NodeId, number][] = []
      for (const from of options.nodes) {
        for (const to of options.nodes) if (from !== to && random.chance(0.3)) links.push([from, to, random.between(80, 100) / 100])
      }
      events.push({tick: start, kind: 'degrade-links', links})
      events.push({tick: Math.min(last, start + random.between(20, 150)), kind: 'restore-links'})
    }
  }
  if (options.crashes && options.crashable.length > 0) {
    for (let i = random.int(CRASHES_MAX + 1); i > 0; i--) {
      const node = random.pick(options.crashable)
      const start = random.int(last)
      events.push({tick: start, kind: 'crash', node, point: random.pick(CRASH_POINTS)})
      events.push({tick: Math.min(last, start + random.between(5, 150)), kind: 'restart', node})
    }
  }
  // Stable order: by tick, then as drawn.
  return events.map((event, index) => ({event, index})).sort((a, b) => a.event.tick - b.event.tick || a.index - b.index).map(({event}) => event)
}

export function describeFault(event: FaultEvent): string {
  switch (event.kind) {
    case 'partition':
      return `t=${event.tick} partition ${event.groups.map((group) => `{${group.join(',')}}`).join(' | ')}`
    case 'heal':
      return `t=${event.tick} heal`
    case 'degrade-links':
      return `t=${event.tick} degrade ${event.links.map(([from, to, rate]) => `${from}>${to}@${rate}`).join(',')}`
    case 'restore-links':
      return `t=${event.tick} restore links`
    case 'crash':
      return `t=${event.tick} crash ${event.node} (${event.point})`
    case 'restart':
      return `t=${event.tick} restart ${event.node}`
  }
}
