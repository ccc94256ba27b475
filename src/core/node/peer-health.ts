/**
 * Peer health for node monitoring (spec §9): decides, from periodic observations, when a peer is
 * down (not connected for longer than `downAfterMs`) or lagging (its head, learnt from the sync
 * status exchange, more than `lagBlocksMax` behind ours for longer than `lagAfterMs`), and says
 * what to log: one warning when a condition has lasted its threshold, a repeat at most every
 * `repeatAfterMs` while it lasts, and one info line when the peer recovers. Pure: the clock is
 * injected and events are returned, the caller logs them.
 */

export type PeerCondition = 'ok' | 'down' | 'lagging'

export interface PeerHealthOptions {
  readonly now: () => number
  readonly downAfterMs: number
  readonly lagBlocksMax: number
  readonly lagAfterMs: number
  /** While a condition lasts, warn again at most this often (the log must not flood). */
  readonly repeatAfterMs: number
}

export const PEER_HEALTH_DEFAULTS = Object.freeze({downAfterMs: 30_000, lagBlocksMax: 10, lagAfterMs: 30_000, repeatAfterMs: 300_000})

/** What the caller knows of one peer at this check. */
export interface PeerObservation {
  readonly publicKey: string
  readonly connected: boolean
  readonly name?: string
  readonly lastError?: string
}

export interface PeerHealthEvent {
  readonly level: 'warn' | 'info'
  readonly message: 'peer down' | 'peer lagging' | 'peer recovered'
  readonly context: Record<string, unknown>
}

export interface PeerHealthState {
  readonly condition: PeerCondition
  /** The peer's head height as last reported, if it ever answered a status query. */
  readonly height?: number
}

interface Tracked {
  condition: PeerCondition
  since: number
  /** The bad condition last warned about and not yet recovered from. */
  reported: PeerCondition | undefined
  lastWarnedAt: number | undefined
  height: number | undefined
  heightAt: number | undefined
}

/** Peers tracked at most; past this, new peers are not tracked (limits memory on a hostile set). */
const TRACKED_PEERS_MAX = 1024

export class PeerHealth {
  private readonly peers = new Map<string, Tracked>()

  constructor(private readonly options: PeerHealthOptions) {}

  /** A status answer from `publicKey`: its head height now. */
  recordHeight(publicKey: string, height: number): void {
    const tracked = this.peers.get(publicKey)
    if (tracked === undefined) return
    tracked.height = height
    tracked.heightAt = this.options.now()
  }

  state(publicKey: string): PeerHealthState | undefined {
    const tracked = this.peers.get(publicKey)
    if (tracked === undefined) return undefined
    return tracked.height === undefined ? {condition: tracked.condition} : {condition: tracked.condition, height: tracked.height}
  }

  /**
   * Evaluate every observed peer against our head height; peers not observed any more are
   * forgotten. Returns the log events this check produced (usually none).
   */
  check(ourHeight: number, observations: readonly PeerObservation[]): PeerHealthEvent[] {
    const now = this.options.now()
    const seen = new Set(observations.map((observation) => observation.publicKey))
    for (const publicKey of this.peers.keys()) if (!seen.has(publicKey)) this.peers.delete(publicKey)
    const events: PeerHealthEvent[] = []
    for (const observation of observations) {
      let tracked = this.peers.get(observation.publicKey)
      if (tracked === undefined) {
        if (this.peers.size >= TRACKED_PEERS_MAX) continue
        tracked = {condition: 'ok', since: now, reported: undefined, lastWarnedAt: undefined, height: undefined, heightAt: undefined}
        this.peers.set(observation.publicKey, tracked)
      }
      const event = this.evaluate(tracked, observation, ourHeight, now)
      if (event !== undefined) events.push(event)
    }
    return events
  }

  private conditionOf(tracked: Tracked, observation: PeerObservation, ourHeight: number, now: number): PeerCondition {
    if (!observation.connected) return 'down'
    // A height older than the lag window says nothing about now (e.g. the status poll paused
    // while we synced): keep the lag verdict as it was rather than flip it either way.
    const fresh = tracked.height !== undefined && tracked.heightAt !== undefined && now - tracked.heightAt <= this.options.lagAfterMs
    if (!fresh) return tracked.condition === 'lagging' ? 'lagging' : 'ok'
    return ourHeight - tracked.height! > this.options.lagBlocksMax ? 'lagging' : 'ok'
  }

  private evaluate(tracked: Tracked, observation: PeerObservation, ourHeight: number, now: number): PeerHealthEvent | undefined {
    const condition = this.conditionOf(tracked, observation, ourHeight, now)
    const peer = {peer: observation.publicKey.slice(0, 16), ...(observation.name === undefined ? {} : {name: observation.name})}
    if (condition !== tracked.condition) {
      const previous = {condition: tracked.condition, forMs: now - tracked.since}
      tracked.condition = condition
      tracked.since = now
      tracked.lastWarnedAt = undefined
      if (condition === 'ok' && tracked.reported !== undefined) {
        const was = tracked.reported
        tracked.reported = undefined
        return {level: 'info', message: 'peer recovered', context: {...peer, was, ...(previous.condition === was ? {wasForMs: previous.forMs} : {})}}
      }
      return undefined
    }
    if (condition === 'ok') return undefined
    const lastingMs = now - tracked.since
    const thresholdMs = condition === 'down' ? this.options.downAfterMs : this.options.lagAfterMs
    if (lastingMs < thresholdMs) return undefined
    if (tracked.lastWarnedAt !== undefined && now - tracked.lastWarnedAt < this.options.repeatAfterMs) return undefined
    tracked.lastWarnedAt = now
    tracked.reported = condition
    if (condition === 'down') {
      return {level: 'warn', message: 'peer down', context: {...peer, downForMs: lastingMs, ...(observation.lastError === undefined ? {} : {lastError: observation.lastError})}}
    }
    return {
      level: 'warn',
      message: 'peer lagging',
      context: {...peer, peerHeight: tracked.height, ourHeight, behindBlocks: ourHeight - tracked.height!, laggingForMs: lastingMs},
    }
  }
}
