/** PBFT (Castro & Liskov) for n = 3f+1 validators: see engine.ts for the shape, the other files for each phase. */
import {PbftEngine} from './engine.js'
import type {PbftOptions} from './options.js'

export {PbftEngine} from './engine.js'
export {PBFT_LIMITS_DEFAULTS, PBFT_TIMING_DEFAULTS, type PbftLimits, type PbftOptions, type PbftTiming} from './options.js'
export {decodeMessage as decodePbftMessage, encodeMessage as encodePbftMessage, type PbftBody, type Signed as SignedPbftMessage} from './messages.js'
export {signMessage as signPbftMessage} from './signing.js'

export function createPbftEngine(options: PbftOptions): PbftEngine {
  return new PbftEngine(options)
}
