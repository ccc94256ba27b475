/**
 * What travels inside one encrypted frame: a channel tag and the message bytes, so consensus,
 * tx forwarding and block sync share one connection.
 *
 *   envelope = channelLength u8 ‖ channel (ASCII, [a-z0-9-], 1..32) ‖ body
 */
import {WichainError} from '../errors.js'

export type Channel = string

/** The channels the node uses; any name matching CHANNEL_PATTERN works. */
export const CHANNELS = Object.freeze({consensus: 'consensus', tx: 'tx', sync: 'sync'} as const)

export const CHANNEL_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/
export const CHANNEL_BYTES_MAX = 32
/** Overhead of the envelope around a body, at most. */
export const ENVELOPE_OVERHEAD_BYTES_MAX = 1 + CHANNEL_BYTES_MAX

export function checkChannel(channel: Channel): void {
  if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) {
    throw new WichainError('INVALID_ARGUMENT', `channel must match ${CHANNEL_PATTERN}`, {channel})
  }
}

/** The envelope header for a channel (the body follows it unchanged, without a copy). */
export function envelopeHeader(channel: Channel): Uint8Array {
  checkChannel(channel)
  const out = new Uint8Array(1 + channel.length)
  out[0] = channel.length
  for (let i = 0; i < channel.length; i++) out[1 + i] = channel.charCodeAt(i)
  return out
}

export interface Envelope {
  readonly channel: Channel
  readonly body: Uint8Array
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const length = bytes[0]
  if (bytes.length < 1 || length < 1 || length > CHANNEL_BYTES_MAX || bytes.length < 1 + length) {
    throw new WichainError('DECODE_ERROR', 'malformed envelope: bad channel length')
  }
  const channel = String.fromCharCode(...bytes.subarray(1, 1 + length))
  if (!CHANNEL_PATTERN.test(channel)) throw new WichainError('DECODE_ERROR', 'malformed envelope: bad channel name')
  return Object.freeze({channel, body: bytes.subarray(1 + length)})
}
