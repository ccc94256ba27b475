/**
 * The consensus engine interface. Engines are pure state machines in the style of etcd raft:
 * no sockets, timers, clock or randomness inside. The driver (node process or the simulator)
 * feeds inputs — `tick()`, `step(message)`, `propose(payload)` — and drains `ready()`.
 *
 * The driver's order is law: persist `ready.persist` durably, then send `ready.messages`, then
 * apply `ready.committed` (calling `reconfigure` for any validator-set change a block carries),
 * then call `advance(ready)`. Engines decide one height at a time: they start work on height h+1
 * only after `advance` acknowledged the application of block h, so block h+1 is always built and
 * validated on top of the applied state of h, and a reconfiguration is known before h+1 starts.
 *
 * Block sync: when `ready.syncRequest` is set (or whenever the network layer learns a peer is
 * ahead), the driver fetches committed blocks with their certificates from peers and feeds them,
 * in height order, to `stepCommitted`; the engine checks each certificate against the validator
 * set of that height and hands accepted blocks back through `ready.committed` like any other.
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
  /**
   * The self-contained form of a committed payload, for a peer that may lack what a compact
   * proposal refers to (a laggard being sent the block). Default: the payload itself.
   */
  expand?(payload: Uint8Array): Uint8Array
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

/** A hint that the network is ahead: fetch committed blocks `fromHeight..toHeight` (inclusive). */
export interface SyncRequest {
  readonly fromHeight: number
  readonly toHeight: number
  /** A peer known to have the blocks, if any. */
  readonly peer: NodeId | undefined
}

export interface Ready {
  /** Engine state that must be durable before any message is sent (opaque to the driver). */
  readonly persist: Uint8Array | undefined
  readonly messages: readonly OutboundMessage[]
  /** Blocks to apply, in height order, each exactly once. */
  readonly committed: readonly CommittedBlock[]
  /** Set (once per request) when this node should propose a block for `height` (driver calls `propose`). */
  readonly proposeHeight: number | undefined
  /** Set (rate-limited) when the engine cannot catch up from consensus messages alone. */
  readonly syncRequest?: SyncRequest | undefined
}

/** What every engine is built from; engine-specific options extend it. */
export interface EngineOptions {
  readonly crypto: ConsensusCrypto
  readonly application: ConsensusApplication
  /** The validator set governing height `lastCommitted.height + 1`. */
  readonly validators: readonly NodeId[]
  /** The last block the driver applied (height 0 and the genesis hash for a new chain). */
  readonly lastCommitted: {readonly height: number; readonly blockHash: Uint8Array}
  /** The last `ready.persist` bytes the driver made durable, if any. */
  readonly persisted?: Uint8Array | undefined
}

/**
 * Breaking the driver contract — `advance` with another Ready than the last `ready()`, `propose`
 * of a block the application does not validate, `reconfigure` of a height already being decided —
 * is a programmer error: engines assert (assert.ts), and the chain halts on it (fail-stop) with an
 * INTERNAL fault. Input from peers (`step`, `stepCommitted`) is never asserted on: it is ignored
 * or refused.
 */
export interface ConsensusEngine {
  readonly kind: CommitCertificate['kind']
  tick(): void
  step(from: NodeId, bytes: Uint8Array): void
  propose(height: number, payload: Uint8Array): void
  hasReady(): boolean
  ready(): Ready
  advance(ready: Ready): void
  /**
   * A committed block from block sync. Accepted (returns true, block appears in `ready.committed`)
   * only if it is the next height and its certificate verifies against that height's validators.
   */
  stepCommitted(block: CommittedBlock): boolean
  /**
   * The validator set for heights >= `height` changes to `validators` (learned from a committed
   * config tx). Call while applying block `height - 1`, before `advance`.
   */
  reconfigure(height: number, validators: readonly NodeId[]): void
  /** Introspection for status and metrics. `height` is the height being decided. */
  status(): {height: number; round: number; leader: NodeId | undefined; role: string; validators: readonly NodeId[]}
}
