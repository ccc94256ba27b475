/** Limits and defaults of the network layer; every queue, frame and wait is bounded. */
import {WichainError} from '../errors.js'
import {FRAME_BYTES_MAX} from '../limits.js'
import {FRAME_BYTES_LIMIT} from './frame.js'

export interface NetworkLimits {
  /** Largest encrypted frame payload accepted or sent (block sync needs large frames). */
  readonly frameBytesMax: number
  /** A connection must finish the handshake within this time or is closed. */
  readonly handshakeTimeoutMs: number
  /** A dial that has not connected within this time fails. */
  readonly connectTimeoutMs: number
  /** Per-peer send queue; on overflow the oldest queued messages are dropped (see peer.ts). */
  readonly sendQueueMessagesMax: number
  readonly sendQueueBytesMax: number
  /** Reconnect backoff: first retry after the minimum, doubling to the maximum. */
  readonly reconnectDelayMsMin: number
  readonly reconnectDelayMsMax: number
  /** Connections of every kind (handshaking, open, draining) at once. */
  readonly connectionsMax: number
  /** Known peers (dial list and inbound peers). */
  readonly peersMax: number
  /** A duplicate connection being retired may finish delivering for this long. */
  readonly drainTimeoutMs: number
}

export const DEFAULT_LIMITS: NetworkLimits = Object.freeze({
  frameBytesMax: FRAME_BYTES_MAX,
  handshakeTimeoutMs: 5_000,
  connectTimeoutMs: 5_000,
  sendQueueMessagesMax: 4_096,
  sendQueueBytesMax: 64 * 1024 * 1024,
  reconnectDelayMsMin: 100,
  reconnectDelayMsMax: 10_000,
  connectionsMax: 256,
  peersMax: 128,
  drainTimeoutMs: 2_000,
})

function checkPositiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new WichainError('INVALID_ARGUMENT', `network limit ${name} must be an integer 1..${max}`, {name, value})
  }
}

export function resolveLimits(overrides: Partial<NetworkLimits> = {}): NetworkLimits {
  const limits = {...DEFAULT_LIMITS, ...overrides}
  for (const [name, value] of Object.entries(limits)) checkPositiveInteger(name, value)
  checkPositiveInteger('frameBytesMax', limits.frameBytesMax, FRAME_BYTES_LIMIT)
  if (limits.reconnectDelayMsMin > limits.reconnectDelayMsMax) {
    throw new WichainError('INVALID_ARGUMENT', 'reconnectDelayMsMin must not exceed reconnectDelayMsMax')
  }
  return Object.freeze(limits)
}

/** Delay before reconnect attempt `attempt` (1-based): min·2^(attempt-1), capped at max. */
export function reconnectDelayMs(limits: NetworkLimits, attempt: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30)
  return Math.min(limits.reconnectDelayMsMax, limits.reconnectDelayMsMin * 2 ** exponent)
}
