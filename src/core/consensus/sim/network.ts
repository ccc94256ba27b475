/**
 * The simulated network: every message gets a random delay (so messages reorder), may be dropped
 * or duplicated, and never crosses a partition (checked when sent and when delivered). Delivery
 * order is fully determined by (deliver tick, send sequence), so a seed replays exactly.
 */
import type {CommittedBlock, NodeId} from '../engine.js'
import type {SimRandom} from './random.js'

export interface LinkFaults {
  readonly dropRate: number
  readonly duplicateRate: number
  readonly delayTicksMin: number
  readonly delayTicksMax: number
}

export type SimMessage =
  | {readonly kind: 'consensus'; readonly bytes: Uint8Array}
  | {readonly kind: 'sync-request'; readonly fromHeight: number}
  | {readonly kind: 'sync-response'; readonly blocks: readonly CommittedBlock[]}

export interface Envelope {
  readonly from: NodeId
  readonly to: NodeId
  readonly message: SimMessage
  readonly deliverAt: number
  readonly sequence: number
}

/** Bound on messages in flight: a run that floods the network is itself a failure to report. */
export const IN_FLIGHT_MAX = 200_000

export class SimNetwork {
  private queue: Envelope[] = []
  private sequence = 0
  private groups = new Map<NodeId, number>()
  /** Extra drop rates of single directed links ("a>b"), for faults that hurt some paths only. */
  private linkDropRates = new Map<string, number>()
  sent = 0
  dropped = 0

  constructor(
    private readonly random: SimRandom,
    public faults: LinkFaults,
  ) {}

  send(from: NodeId, to: NodeId, message: SimMessage, now: number): void {
    this.sent++
    const linkDropRate = this.linkDropRates.get(`${from}>${to}`) ?? 0
    if (from === to || !this.connected(from, to) || this.random.chance(Math.max(this.faults.dropRate, linkDropRate))) {
      this.dropped++
      return
    }
    const copies = this.random.chance(this.faults.duplicateRate) ? 2 : 1
    for (let i = 0; i < copies; i++) {
      const delay = this.random.between(this.faults.delayTicksMin, this.faults.delayTicksMax)
      if (this.queue.length >= IN_FLIGHT_MAX) throw new Error(`more than ${IN_FLIGHT_MAX} messages in flight`)
      this.queue.push({from, to, message, deliverAt: now + delay, sequence: this.sequence++})
    }
  }

  /** Messages due at `now`, in a deterministic order; those now across a partition are lost. */
  takeDue(now: number): Envelope[] {
    const due = this.queue.filter((envelope) => envelope.deliverAt <= now)
    if (due.length === 0) return due
    this.queue = this.queue.filter((envelope) => envelope.deliverAt > now)
    due.sort((a, b) => a.deliverAt - b.deliverAt || a.sequence - b.sequence)
    return due.filter((envelope) => this.connected(envelope.from, envelope.to))
  }

  /** Nodes in different groups cannot talk; nodes not listed join group 0. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groups = new Map()
    groups.forEach((group, index) => group.forEach((id) => this.groups.set(id, index)))
  }

  heal(): void {
    this.groups = new Map()
  }

  degradeLinks(links: readonly (readonly [NodeId, NodeId, number])[]): void {
    for (const [from, to, rate] of links) this.linkDropRates.set(`${from}>${to}`, rate)
  }

  restoreLinks(): void {
    this.linkDropRates = new Map()
  }

  inFlight(): number {
    return this.queue.length
  }

  private connected(a: NodeId, b: NodeId): boolean {
    return (this.groups.get(a) ?? 0) === (this.groups.get(b) ?? 0)
  }
}
