/** PBFT options and their defaults. Every duration is in driver ticks (one tick ≈ 100 ms in the node). */
import type {EngineOptions} from '../engine.js'
import type {Logger} from '../../log.js'

export interface PbftTiming {
  /** Ticks a view may last before a replica asks for the next one (doubled per view, see backoff). */
  readonly viewTimeoutTicks: number
  /** The view timeout doubles with each view up to 2^viewTimeoutBackoffMax times the base. */
  readonly viewTimeoutBackoffMax: number
  /** Ticks between retransmissions of this replica's latest messages (links may drop). */
  readonly rebroadcastTicks: number
  /** Minimum ticks between two block-sync requests to the driver. */
  readonly syncRetryTicks: number
  /** A checkpoint every this many heights; committed blocks below the stable one are forgotten. */
  readonly checkpointInterval: number
  /** Minimum ticks between two committed blocks sent to one lagging peer. */
  readonly replyIntervalTicks: number
}

export interface PbftLimits {
  /** Heights ahead of ours whose messages are buffered (the rest only tell us we are behind). */
  readonly heightWindow: number
  /** Views ahead of ours whose messages are kept. */
  readonly viewWindow: number
  /** Committed blocks kept to send to peers a few heights behind (further behind: block sync). */
  readonly recentBlocksMax: number
  /** Buffered future messages, in total and per signer. */
  readonly futureMessagesMax: number
  readonly futureMessagesPerSignerMax: number
  /** A message larger than this is dropped before decoding. */
  readonly messageBytesMax: number
}

export interface PbftOptions extends EngineOptions {
  readonly timing?: Partial<PbftTiming>
  readonly limits?: Partial<PbftLimits>
  readonly logger?: Logger
}

export const PBFT_TIMING_DEFAULTS: PbftTiming = Object.freeze({
  viewTimeoutTicks: 20,
  viewTimeoutBackoffMax: 4,
  rebroadcastTicks: 4,
  syncRetryTicks: 20,
  checkpointInterval: 16,
  replyIntervalTicks: 2,
})

export const PBFT_LIMITS_DEFAULTS: PbftLimits = Object.freeze({
  heightWindow: 4,
  viewWindow: 8,
  recentBlocksMax: 8,
  futureMessagesMax: 1024,
  futureMessagesPerSignerMax: 64,
  messageBytesMax: 16 * 1024 * 1024,
})
