/**
 * The simulator's virtual time: one clock for every simulated node (Chain's `clock`, ChainNetwork's
 * and SyncService's `Timers`) and the event queue the run loop pops from. Events at one instant run
 * in the order they were scheduled, so a run is a pure function of its seed and schedule. Nothing
 * here touches a real timer.
 */
import type {Timers} from '../node/network.js'

interface TimerEvent {
  readonly id: number
  readonly at: number
  readonly callback: () => void
  /** Repeating timers re-arm themselves this many ms later. */
  readonly every?: number
}

/** Start of virtual time: a plausible epoch millisecond after the test genesis timestamps. */
export const SIM_EPOCH_MS = 1_700_000_100_000

export class VirtualClock {
  private time: number
  private nextId = 1
  /** Binary min-heap on (at, id). */
  private readonly heap: TimerEvent[] = []
  private readonly cancelled = new Set<number>()
  /** Live repeating timers: id → the id of their armed event (a re-armed interval keeps its handle). */
  private readonly intervals = new Map<number, number>()

  constructor(start = SIM_EPOCH_MS) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  /** Run `callback` `ms` from now (0 allowed: after everything already queued for this instant). */
  schedule(ms: number, callback: () => void): number {
    const id = this.nextId++
    this.push({id, at: this.time + Math.max(0, Math.floor(ms)), callback})
    return id
  }

  cancel(id: number): void {
    const armed = this.intervals.get(id)
    if (armed !== undefined) {
      this.intervals.delete(id)
      this.cancelled.add(armed)
    } else this.cancelled.add(id)
  }

  /** Pops the next due event and moves the clock to it; undefined when nothing is queued before `until`. */
  popUntil(until: number): (() => void) | undefined {
    for (;;) {
      const top = this.heap[0]
      if (top === undefined || top.at > until) return undefined
      this.pop()
      if (this.cancelled.delete(top.id)) continue
      this.time = Math.max(this.time, top.at)
      return top.callback
    }
  }

  /** Moves the clock forward with nothing to run (the queue is empty up to `until`). */
  advanceTo(until: number): void {
    this.time = Math.max(this.time, until)
  }

  /** Events still queued (cancelled ones included until they are popped). */
  get pending(): number {
    return this.heap.length - this.cancelled.size
  }

  /** The `Timers` view for one node; `owner` lets the node drop all its timers when it crashes. */
  timers(owner: Set<number> = new Set()): Timers & {readonly owned: Set<number>} {
    const clear = (handle: unknown): void => {
      if (typeof handle !== 'number') return
      owner.delete(handle)
      this.cancel(handle)
    }
    return {
      owned: owner,
      now: () => this.time,
      setTimeout: (callback, ms) => {
        const id = this.schedule(ms, () => {
          owner.delete(id)
          callback()
        })
        owner.add(id)
        return id
      },
      clearTimeout: clear,
      setInterval: (callback, ms) => {
        const handle = this.nextId++
        const period = Math.max(1, Math.floor(ms))
        const arm = (): void => {
          const armed = this.schedule(period, () => {
            if (!this.intervals.has(handle)) return
            arm()
            callback()
          })
          this.intervals.set(handle, armed)
        }
        arm()
        owner.add(handle)
        return handle
      },
      clearInterval: clear,
    }
  }

  private push(event: TimerEvent): void {
    const heap = this.heap
    heap.push(event)
    let index = heap.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!before(heap[index]!, heap[parent]!)) break
      ;[heap[index], heap[parent]] = [heap[parent]!, heap[index]!]
      index = parent
    }
  }

  private pop(): void {
    const heap = this.heap
    const last = heap.pop()!
    if (heap.length === 0) return
    heap[0] = last
    let index = 0
    for (;;) {
      const left = 2 * index + 1
      const right = left + 1
      let smallest = index
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right
      if (smallest === index) return
      ;[heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!]
      index = smallest
    }
  }
}

function before(a: TimerEvent, b: TimerEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id)
}
