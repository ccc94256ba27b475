/**
 * What a Byzantine node does to the sync channel (its consensus messages go through the consensus
 * simulator's ByzantineBehaviour, wired in node.ts): half of its answers are garbage — random
 * bytes, a truncated answer, or the real answer with flipped bytes. An honest node must survive
 * any of them (decode errors, certificate checks) and sync from someone else.
 */
import type {SimRandom} from '../consensus/sim/random.js'

const RESPONSE_KIND = 2
const HEADER_BYTES = 5

export function corruptSyncAnswer(random: SimRandom, message: Uint8Array): Uint8Array {
  if (message.length < HEADER_BYTES || message[0] !== RESPONSE_KIND || !random.chance(0.5)) return message
  const header = message.subarray(0, HEADER_BYTES)
  const body = message.subarray(HEADER_BYTES)
  let corrupted: Uint8Array
  switch (random.int(3)) {
    case 0:
      corrupted = Uint8Array.from({length: random.between(0, 300)}, () => random.int(256))
      break
    case 1:
      corrupted = body.slice(0, random.int(body.length + 1))
      break
    default:
      corrupted = body.slice()
      for (let flips = random.between(1, 8); flips > 0 && corrupted.length > 0; flips--) corrupted[random.int(corrupted.length)] ^= 1 << random.int(8)
  }
  const out = new Uint8Array(HEADER_BYTES + corrupted.length)
  out.set(header)
  out.set(corrupted, HEADER_BYTES)
  return out
}
