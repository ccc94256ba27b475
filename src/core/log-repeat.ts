/**
 * Rate limit for repeated log events. Events are keyed (level + message, never the varying
 * context); per interval the first `perInterval` of a key pass, the rest are only counted. When
 * the interval ends the caller gets one summary per key that had events suppressed, with the
 * exact count, so a flood of 5,000 junk connections costs a handful of lines, not 5,000.
 */
import {LOG_REPEAT_INTERVAL_MS, LOG_REPEAT_KEYS_MAX, LOG_REPEATS_PER_INTERVAL_MAX} from './limits.js'

export interface RepeatLimits {
  readonly perInterval: number
  readonly intervalMs: number
  readonly keysMax: number
}

export const DEFAULT_REPEAT_LIMITS: RepeatLimits = Object.freeze({
  perInterval: LOG_REPEATS_PER_INTERVAL_MAX,
  intervalMs: LOG_REPEAT_INTERVAL_MS,
  keysMax: LOG_REPEAT_KEYS_MAX,
})

/** One key's suppressed events in an ended interval. */
export interface RepeatSummary {
  readonly key: string
  readonly suppressed: number
}

/** Suppressed events of keys first seen once `keysMax` keys were tracked share this key. */
export const OVERFLOW_KEY = '(other messages)'

export class RepeatLimiter {
  readonly #limits: RepeatLimits
  readonly #now: () => number
  #windowStartMs: number
  /** Events seen this interval per key (passed + suppressed). */
  readonly #seen = new Map<string, number>()
  #overflow = 0

  constructor(limits: RepeatLimits, now: () => number) {
    this.#limits = limits
    this.#now = now
    this.#windowStartMs = now()
  }

  /** True when the interval is over (call `roll()` to collect its summaries). */
  expired(): boolean {
    return this.#now() - this.#windowStartMs >= this.#limits.intervalMs
  }

  /** True if this event may be written; false if it was counted as suppressed. */
  admit(key: string): boolean {
    const seen = this.#seen.get(key)
    if (seen === undefined) {
      if (this.#seen.size >= this.#limits.keysMax) {
        this.#overflow += 1
        return false
      }
      this.#seen.set(key, 1)
      return this.#limits.perInterval >= 1
    }
    this.#seen.set(key, seen + 1)
    return seen + 1 <= this.#limits.perInterval
  }

  /** True while some event of this interval waits for its summary. */
  get pending(): boolean {
    if (this.#overflow > 0) return true
    for (const seen of this.#seen.values()) if (seen > this.#limits.perInterval) return true
    return false
  }

  /** Ends the interval: the summaries of its suppressed events, then a fresh interval. */
  roll(): RepeatSummary[] {
    const summaries: RepeatSummary[] = []
    for (const [key, seen] of this.#seen) {
      if (seen > this.#limits.perInterval) summaries.push({key, suppressed: seen - this.#limits.perInterval})
    }
    if (this.#overflow > 0) summaries.push({key: OVERFLOW_KEY, suppressed: this.#overflow})
    this.#seen.clear()
    this.#overflow = 0
    this.#windowStartMs = this.#now()
    return summaries
  }
}
