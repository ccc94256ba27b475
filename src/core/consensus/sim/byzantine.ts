/**
 * A Byzantine PBFT validator. It runs an honest engine underneath (so it keeps up and knows what
 * to corrupt) and, with its own valid key, rewrites what it sends: equivocating proposals and
 * new-views, conflicting prepares and commits per recipient, view-changes with forged proofs,
 * honest messages sent to only some peers, plus garbage bytes, forged certificates and replays
 * of anything it has seen.
 */
import type {ConsensusCrypto, NodeId, OutboundMessage} from '../engine.js'
import {decodeMessage, encodeMessage, type PbftBody, type Signed} from '../pbft/messages.js'
import {signMessage} from '../pbft/signing.js'
import type {SimRandom} from './random.js'

const REPLAY_MEMORY_MAX = 64
const PLANS_MAX = 256

interface Plan {
  /** A conflicting version of the message, sent instead to `alternativeTo`. */
  readonly alternative: Uint8Array | undefined
  readonly alternativeTo: ReadonlySet<NodeId>
  /** Peers that never get this message at all. */
  readonly silentTo: ReadonlySet<NodeId>
}

export interface ByzantineContext {
  readonly random: SimRandom
  readonly crypto: ConsensusCrypto
  readonly peers: () => readonly NodeId[]
  /** Another valid block for `height` (different salt), if this node is caught up. */
  readonly alternativeBlock: (height: number) => Uint8Array | undefined
  readonly digest: (payload: Uint8Array) => Uint8Array
  /** The height this node's engine is deciding. */
  readonly height: () => number
}

export class ByzantineBehaviour {
  private readonly seen: Uint8Array[] = []
  private readonly plans = new Map<string, Plan>()

  constructor(private readonly context: ByzantineContext) {}

  observe(bytes: Uint8Array): void {
    this.seen.push(bytes)
    if (this.seen.length > REPLAY_MEMORY_MAX) this.seen.shift()
  }

  /**
   * What actually leaves this node for one message the honest engine wanted to send. The story is
   * fixed per (type, height, view), so retransmissions repeat it: a peer kept in the dark stays
   * in the dark, which is what makes a split between honest nodes possible at all.
   */
  rewrite(message: OutboundMessage): OutboundMessage[] {
    const recipients = message.to === 'broadcast' ? this.context.peers() : [message.to]
    let signed: Signed
    try {
      signed = decodeMessage(message.bytes)
    } catch {
      return recipients.map((to) => ({to, bytes: message.bytes}))
    }
    this.observe(message.bytes)
    const plan = this.planFor(signed)
    return recipients.flatMap((to) => {
      if (plan.silentTo.has(to)) return []
      return [{to, bytes: plan.alternative !== undefined && plan.alternativeTo.has(to) ? plan.alternative : message.bytes}]
    })
  }

  private planFor(signed: Signed): Plan {
    const key = `${signed.body.type}/${signed.body.height}/${signed.body.view}`
    let plan = this.plans.get(key)
    if (plan === undefined) {
      const {random} = this.context
      const peers = this.context.peers()
      const alternative = this.corrupt(signed)
      plan = {
        alternative,
        alternativeTo: new Set(peers.filter(() => random.chance(0.5))),
        silentTo: new Set(random.chance(0.4) ? peers.filter(() => random.chance(0.5)) : []),
      }
      this.plans.set(key, plan)
      if (this.plans.size > PLANS_MAX) this.plans.delete(this.plans.keys().next().value!)
    }
    return plan
  }

  /** Noise sent each tick regardless of the protocol. */
  noise(): OutboundMessage[] {
    const {random} = this.context
    const peers = this.context.peers()
    if (peers.length === 0) return []
    const out: OutboundMessage[] = []
    if (random.chance(0.05)) out.push({to: random.pick(peers), bytes: randomBytes(random, random.between(0, 200))})
    if (random.chance(0.1) && this.seen.length > 0) out.push({to: random.pick(peers), bytes: random.pick(this.seen)})
    if (random.chance(0.03)) {
      const forged = this.forgedCommitted()
      if (forged !== undefined) out.push({to: random.pick(peers), bytes: forged})
    }
    return out
  }

  /** A "committed" block whose certificate signatures are made up: it must never be accepted. */
  private forgedCommitted(): Uint8Array | undefined {
    const {random, crypto} = this.context
    const height = this.context.height()
    const payload = this.context.alternativeBlock(height)
    if (payload === undefined) return undefined
    const signatures = this.context.peers().map((signer) => ({signer, signature: randomBytes(random, 32)}))
    signatures.push({signer: crypto.self, signature: randomBytes(random, 32)})
    const certificate = {kind: 'pbft' as const, height, round: 0, blockHash: this.context.digest(payload), signatures}
    return encodeMessage(signMessage(crypto, {type: 'committed', height, view: 0, signer: crypto.self, certificate}, payload))
  }

  private corrupt(signed: Signed): Uint8Array | undefined {
    const {random, crypto} = this.context
    const body = signed.body
    switch (body.type) {
      case 'pre-prepare': {
        const payload = this.context.alternativeBlock(body.height)
        if (payload === undefined || !random.chance(0.6)) return undefined
        return encodeMessage(signMessage(crypto, {...body, digest: this.context.digest(payload)}, payload))
      }
      case 'new-view': {
        const payload = this.context.alternativeBlock(body.height)
        if (payload === undefined || !random.chance(0.6)) return undefined
        const prePrepare = signMessage(crypto, {...body.prePrepare.body, digest: this.context.digest(payload)})
        return encodeMessage(signMessage(crypto, {...body, prePrepare}, payload))
      }
      case 'prepare':
      case 'commit': {
        if (!random.chance(0.5)) return undefined
        const payload = this.context.alternativeBlock(body.height)
        const digest = payload !== undefined && random.chance(0.5) ? this.context.digest(payload) : randomBytes(random, 32)
        return encodeMessage(signMessage(crypto, {...body, digest}))
      }
      case 'view-change': {
        if (!random.chance(0.3)) return undefined
        const forged = forgedProof(random, body, this.context.peers())
        return encodeMessage(signMessage(crypto, {...body, prepared: forged}, randomBytes(random, 40)))
      }
      default:
        return undefined
    }
  }
}

function forgedProof(random: SimRandom, body: PbftBody, peers: readonly NodeId[]) {
  return {
    view: Math.max(0, body.view - 1),
    digest: randomBytes(random, 32),
    prepares: peers.map((signer) => ({signer, signature: randomBytes(random, 32)})),
  }
}

function randomBytes(random: SimRandom, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = random.int(256)
  return bytes
}
