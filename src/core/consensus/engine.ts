/**
 * The consensus engine interface. Engines are pure state machines in the style of etcd raft:
 * no sockets, timers, clock or randomness inside. The driver (node process or the simulator)
 * feeds inputs — `tick()`, `step(message)`, `propose(payload)` — and drains `ready()`.
 *
 * The driver's order is law: persist `ready.persist` durably, then send `ready.messages`, then
 * apply `ready.committed`, then call `advance(ready)`.
 */

/** A node's identity inside one chain: the hex of its 65-byte SM2 node public key. */
export type NodeId = string

/** Signing and verification are injected so the simulator can use cheap deterministic ones. */
export interface ConsensusCrypto {
  readonly self: NodeId
  sign(message: Uint8Array): Uint8Array
  verify(signer: NodeId, message: Uint8Array, signature: Uint8Array): boolean
  /** Hash used for digests inside the protocol (SM3 in production). */
  hash(data: Uint8Array): Uint8Array
}

/**
 * The application side, synchronous and deterministic: the engine asks it to check a proposal
 * and (for leaders) to build one.
 */
export interface ConsensusApplication {
  /** Is `payload` a valid block for `height` on top of the last committed block? */
  validate(height: number, payload: Uint8Array): boolean
  /** Digest (block hash) of a payload, as the certificate signs it. */
  digest(payload: Uint8Array): Uint8Array
}

/** An opaque consensus message between nodes; `to` is one node or every other validator. */
export interface OutboundMessage {
  readonly to: NodeId | 'broadcast'
  readonly bytes: Uint8Array
}

export interface CommitSignature {
  readonly signer: NodeId
  readonly signature: Uint8Array
}

/** Proof that a block is committed: what `cert verify` checks offline. */
export interface CommitCertificate {
  readonly kind: 'solo' | 'pbft' | 'raft'
  readonly height: number
  readonly blockHash: Uint8Array
  /** PBFT view or Raft term. */
  readonly round: number
  readonly signatures: readonly CommitSignature[]
}

export interface CommittedBlock {
  readonly height: number
  readonly payload: Uint8Array
  readonly certificate: CommitCertificate
}

export interface Ready {
  /** Engine state that must be durable before any message is sent (opaque to the driver). */
  readonly persist: Uint8Array | undefined
  readonly messages: readonly OutboundMessage[]
  readonly committed: readonly CommittedBlock[]
  /** Set when this node should propose a block for `height` (driver calls `propose`). */
  readonly proposeHeight: number | undefined
}

export interface ConsensusEngine {
  readonly kind: CommitCertificate['kind']
  tick(): void
  step(from: NodeId, bytes: Uint8Array): void
  propose(height: number, payload: Uint8Array): void
  hasReady(): boolean
  ready(): Ready
  advance(ready: Ready): void
  /** Introspection for status and metrics. */
  status(): {height: number; round: number; leader: NodeId | undefined; role: string}
}
