/**
 * Waiting until the real event loop has nothing left to do for the simulated nodes. The nodes run
 * real LevelDB stores, whose reads and writes complete on libuv worker threads; the simulator may
 * advance virtual time only once every one of them has completed and every promise they released
 * has run, or the order of events (and so the run) would depend on thread timing. An async hook
 * counts outstanding native and fs requests (classic_level.*, FSREQ*); idle is: none outstanding
 * and a full turn of the loop (setImmediate) that started none.
 */
import {createHook} from 'node:async_hooks'

const TRACKED = /^(classic_level\.|FSREQ|FILEHANDLE|STATWATCHER)/

let outstanding = 0
let started = 0
const live = new Set<number>()
let wake: (() => void) | undefined
let users = 0

const hook = createHook({
  init(asyncId, type) {
    if (!TRACKED.test(type)) return
    live.add(asyncId)
    outstanding += 1
    started += 1
  },
  // `after` (the completion callback has run), not `destroy`: a destroy hook makes Node track the
  // destruction of every promise, which costs more than the whole simulation step.
  after(asyncId) {
    if (!live.delete(asyncId)) return
    outstanding -= 1
    if (outstanding === 0) wake?.()
  },
})

/** Starts tracking (reference-counted: every `track` needs its `untrack`). */
export function trackIdle(): void {
  if (users++ === 0) hook.enable()
}

export function untrackIdle(): void {
  if (--users === 0) {
    hook.disable()
    live.clear()
    outstanding = 0
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A mark for `untilIdle`: take it before running an event. */
export function idleMark(): number {
  return started
}

/**
 * Resolves once no tracked request is outstanding and one loop turn started none. With the `mark`
 * taken before the event ran: one turn is enough when the event (with every promise it released,
 * all run before the turn ends) started no tracked request, the usual case on in-memory stores.
 */
export async function untilIdle(mark?: number): Promise<void> {
  if (mark !== undefined) {
    await turn()
    if (outstanding === 0 && started === mark) return
  }
  for (;;) {
    await turn()
    if (outstanding > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve
        // A destroy hook may have fired between the check and here.
        if (outstanding === 0) resolve()
      })
      wake = undefined
      continue
    }
    const before = started
    await turn()
    if (outstanding === 0 && started === before) return
  }
}
