/**
 * Every size and count limit of the node, in one place, so their relations can be checked in one
 * test (test/unit/core/limits.test.ts): the largest legal answer fits a frame, a block fits a
 * one-item sync answer, a tx fits a block, and so on. Raising one limit without the others fails
 * that test. Modules import their limits from here; nothing below depends on anything but numbers.
 *
 * Layout: each section names the layer it bounds. Derived limits are computed, never repeated.
 */

const KiB = 1024
const MiB = 1024 * KiB

// ── P2P frames ────────────────────────────────────────────────────────────────────────────────

/** Largest encrypted frame payload a connection accepts or sends (net/options.ts default). */
export const FRAME_BYTES_MAX = 16 * MiB
/** MAC (HMAC-SM3) and envelope (channel tag) bytes inside a frame, an upper bound. */
export const FRAME_OVERHEAD_BYTES_MAX = 32 + 1 + 32
/** The largest message body one frame carries. */
export const MESSAGE_BYTES_MAX = FRAME_BYTES_MAX - FRAME_OVERHEAD_BYTES_MAX
/** Request/response header on the sync channel (kind u8 ‖ id u32). */
export const SYNC_HEADER_BYTES = 5

// ── Transactions ──────────────────────────────────────────────────────────────────────────────

/** Encoded tx (body + signature). */
export const TX_BYTES_MAX = 128 * KiB
/** JSON args text inside a tx. */
export const TX_ARGS_BYTES_MAX = 64 * KiB

// ── Blocks ────────────────────────────────────────────────────────────────────────────────────

/** Txs in one block (the genesis `blockTxsMax` may only lower it). */
export const BLOCK_TXS_MAX = 10_000
/**
 * Encoded block bytes. Derived from the frame: a block, with its certificate and the answer's
 * framing, must fit a one-item sync answer, so a block that could not travel cannot exist.
 */
export const BLOCK_BYTES_MAX = 8 * MiB
/** Bytes a block header and the block's CBOR framing take at most. */
export const BLOCK_HEADER_BYTES_MAX = 4 * KiB
/** Tx bytes a proposer packs into one block (it cuts the block here; validators refuse more). */
export const BLOCK_TX_BYTES_MAX = BLOCK_BYTES_MAX - BLOCK_HEADER_BYTES_MAX
/** A commit certificate's encoding (up to CERTIFICATE_SIGNATURES_MAX signatures; types/certificate.ts). */
export const CERTIFICATE_BYTES_MAX = 64 * KiB
/** Framing of one item (block + certificate, or header) inside a sync answer. */
export const SYNC_ITEM_OVERHEAD_BYTES = 64

/** Decoded blocks (and their receipts) a ledger keeps for repeated reads: at most this × BLOCK_BYTES_MAX. */
export const LEDGER_BLOCK_CACHE_ENTRIES = 8

// ── Sync answers (blocks, headers, txs by hash) ───────────────────────────────────────────────

/** Bytes of items in one sync answer: an answer stops adding items here, but carries at least one. */
export const SYNC_ANSWER_BYTES_MAX = BLOCK_BYTES_MAX + CERTIFICATE_BYTES_MAX + SYNC_ITEM_OVERHEAD_BYTES
/** Blocks per sync answer. */
export const SYNC_BLOCKS_PER_ANSWER_MAX = 64
/** Headers per sync answer. */
export const SYNC_HEADERS_PER_ANSWER_MAX = 256
/** Txs per tx-fetch answer (and per forwarded tx batch). */
export const TX_BATCH_TXS_MAX = 1024
/** Node-set change links in one header answer (each carries a block's change txs and proofs). */
export const SYNC_LINKS_PER_ANSWER_MAX = 8
/** Block-sync requests a catching-up node keeps in flight (spread over the peers). */
export const SYNC_REQUESTS_IN_FLIGHT_MAX = 4
/** Bytes of fetched blocks a catching-up node buffers ahead of the one it applies next. */
export const SYNC_BUFFER_BYTES_MAX = 4 * SYNC_ANSWER_BYTES_MAX

// ── Sync requests (net/sync.ts: request/response on the sync channel) ─────────────────────────

/**
 * Requests a node's sync service has sent and awaits answers to, over all peers and every user
 * (block sync, the header follower, tx fetches, status polls); more are refused (UNAVAILABLE).
 */
export const SYNC_REQUESTS_OUTGOING_MAX = 64
/** Peers' requests a node answers at once (each answer up to SYNC_ANSWER_BYTES_MAX in memory). */
export const SYNC_REQUESTS_SERVED_MAX = 16
/** Peers' requests waiting for a serving slot; more are answered 'busy' (the peer asks elsewhere). */
export const SYNC_REQUESTS_WAITING_MAX = 64
/** Longest deadline a caller may give one sync request. */
export const SYNC_REQUEST_TIMEOUT_MS_MAX = 120_000
/** Bytes of the reason a 'failed' or 'busy' answer carries (cut beyond). */
export const SYNC_FAILURE_REASON_BYTES_MAX = 256

// ── Tx args (JSON) (codec/strict-json.ts, types/tx.ts, chain/admission.ts) ────────────────────
//
// Tx args must be JSON that every parser reads one way, and small enough in shape that nothing
// recursive (JSON.stringify, a contract walking them) can exhaust an engine's stack: admission
// and every validator (for each tx of a proposed block) refuse any other args with INVALID_TX.

/** Nesting depth of tx args: the top-level object is depth 1. */
export const TX_ARGS_DEPTH_MAX = 32
/** Keys in one object of tx args. */
export const TX_ARGS_KEYS_MAX = 256
/** Characters (UTF-16 units) of one key of tx args. */
export const TX_ARGS_KEY_LENGTH_MAX = 256
/** Elements of one array of tx args. */
export const TX_ARGS_ARRAY_LENGTH_MAX = 4096
/**
 * Characters of one string of tx args. Derived: as long as the args text allows, since a deploy
 * carries its whole WASM module as one base64 string.
 */
export const TX_ARGS_STRING_LENGTH_MAX = TX_ARGS_BYTES_MAX
/**
 * Significant decimal digits of one number of tx args: no more than a double holds (17), so a
 * parser keeping decimals exactly and one rounding to a double read the same value.
 */
export const TX_ARGS_NUMBER_DIGITS_MAX = 17
/**
 * Nesting depth of a user contract's result and event data (JSON text it hands the host): deeper
 * output fails the call (CONTRACT_TRAP), so no receipt holds JSON a reader cannot re-serialise.
 */
export const CONTRACT_OUTPUT_DEPTH_MAX = 64

// ── RPC (JSON-RPC over HTTP, api/rpc*.ts) ─────────────────────────────────────────────────────

/** One request body (a single call or a whole batch); larger bodies get 413. */
export const RPC_REQUEST_BYTES_MAX = 4 * MiB
/**
 * Request body bytes buffered at once across all connections. A body is charged as its bytes
 * arrive (or up front from its content-length); one that would pass the cap gets 503. Bodies
 * above RPC_SMALL_REQUEST_BYTES_MAX may use only the cap minus RPC_SMALL_REQUESTS_RESERVED_BYTES,
 * so slow large uploads never starve a normal small call.
 */
export const RPC_BUFFERED_BODY_BYTES_MAX = 64 * MiB
export const RPC_SMALL_REQUEST_BYTES_MAX = 64 * KiB
export const RPC_SMALL_REQUESTS_RESERVED_BYTES = 8 * MiB
/** Concurrent HTTP connections on the RPC port (further ones are closed at accept). */
export const RPC_CONNECTIONS_MAX = 256
/** Time to receive a request's headers, and its whole body (slowloris uploads are cut). */
export const RPC_HEADERS_TIMEOUT_MS = 10_000
export const RPC_REQUEST_TIMEOUT_MS = 60_000
/** Requests in one JSON-RPC batch. */
export const RPC_BATCH_REQUESTS_MAX = 100
/** Batch entries computed at once; heavy methods (block reads) run one at a time per batch. */
export const RPC_BATCH_CONCURRENCY = 8
/** Nesting depth of a request's JSON (checked before parsing; ids and params). */
export const RPC_JSON_DEPTH_MAX = 64
/** `chain.blocks`: blocks per answer, and hex bytes per answer (always at least one block). */
export const RPC_CHAIN_BLOCKS_COUNT_MAX = SYNC_BLOCKS_PER_ANSWER_MAX
export const RPC_CHAIN_BLOCKS_ANSWER_BYTES_MAX = 8 * MiB
/** Framing around the largest single result (ids, field names, JSON-RPC envelope). */
export const RPC_ANSWER_OVERHEAD_BYTES = 64 * KiB
/**
 * Serialised answer bytes of one HTTP request, summed over its batch. Derived: one block with its
 * certificate in hex (a one-block `chain.blocks`) always fits; once used up, the remaining batch
 * entries get PAYLOAD_TOO_LARGE instead of being computed.
 */
export const RPC_ANSWER_BYTES_MAX = 2 * SYNC_ANSWER_BYTES_MAX + RPC_ANSWER_OVERHEAD_BYTES
/** Serialised answer bytes held across all requests until written; beyond it entries get UNAVAILABLE. */
export const RPC_ANSWER_BYTES_IN_FLIGHT_MAX = 8 * RPC_ANSWER_BYTES_MAX

/**
 * Signed RPC requests (core/authz/request.ts): a request's timestamp may differ from the node's
 * clock by at most this much either way; older or later ones are REQUEST_EXPIRED.
 */
export const RPC_REQUEST_CLOCK_SKEW_MS_MAX = 60_000
/**
 * Nonces of signed requests remembered for replay refusal (each until its timestamp leaves the
 * skew window). When every entry is still inside the window, new signed requests get UNAVAILABLE
 * rather than evicting a nonce a replay could then reuse.
 */
export const RPC_REQUEST_NONCES_MAX = 200_000

// ── Logs (core/log*.ts, the node's log file) ──────────────────────────────────────────────────

/** Lines per message key (level + message) written per interval; the rest are counted. */
export const LOG_REPEATS_PER_INTERVAL_MAX = 5
/** The rate-limit interval; at its end one "… repeated K times" line per suppressed key. */
export const LOG_REPEAT_INTERVAL_MS = 10_000
/** Distinct message keys tracked per interval (beyond it new keys share one overflow counter). */
export const LOG_REPEAT_KEYS_MAX = 1024
/** The node's log file rotates (node.log → node.log.1 …) once it would pass this size. */
export const LOG_FILE_BYTES_MAX = 16 * MiB
/** Rotated files kept beside node.log (node.log.1 … node.log.N; older ones are deleted). */
export const LOG_FILES_KEPT = 4
/** One log line (a longer one is cut, keeping it valid JSON). */
export const LOG_LINE_BYTES_MAX = 16 * KiB

// ── CLI human output (cli/output.ts) ──────────────────────────────────────────────────────────

/**
 * Characters of one summarised nested value in human output (a table cell or a key/value line
 * holding an object or array): longer summaries end in "…". Scalars (hashes, keys) stay whole so
 * they can be copied; `--json` always has everything.
 */
export const CLI_SUMMARY_CHARS_MAX = 60

// ── Chain halts (chain/halt.ts: fail-stop on a fault in the commit path) ──────────────────────

/** First wait before a chain halted on a storage fault probes whether its disk takes writes again. */
export const HALT_PROBE_DELAY_MS_MIN = 1_000
/** The probe's backoff doubles up to this wait (a full disk is probed at least this often). */
export const HALT_PROBE_DELAY_MS_MAX = 10_000
/** Bytes the probe writes (and fsyncs, then deletes) in the ledger directory: less free space counts as still full. */
export const HALT_PROBE_BYTES = 1 * MiB
/** While halted, one reminder log line at most this often (the halt itself is logged once). */
export const HALT_REMINDER_INTERVAL_MS = 30_000

// ── Consensus messages ────────────────────────────────────────────────────────────────────────

/** Raft append: entries past the first stop here (the first, a block, may be up to BLOCK_BYTES_MAX). */
export const RAFT_APPEND_BYTES_MAX = 4 * MiB
/**
 * Raft keeps applied entries for followers that lag a little, at most this many payload bytes of
 * them (and at most `retainedEntries`); older ones reach a follower through a snapshot and block
 * sync. The persisted Raft state holds up to twice this before compaction, plus the unapplied
 * suffix (within the leader's window: twice this again and one block), and must fit a meta value.
 */
export const RAFT_RETAINED_BYTES_MAX = 1 * MiB
/** One named meta value (the genesis document, the persisted consensus state). */
export const META_VALUE_BYTES_MAX = 16 * MiB
/** Consensus message framing beyond its payload (signed body, signature, entry headers). */
export const CONSENSUS_OVERHEAD_BYTES_MAX = 64 * KiB

// ── Queues (chain/serial-queue.ts, chain/waiters.ts, chain/mempool.ts, node/network.ts,
//    crypto/verify-pool.ts, ledger/write-queue.ts) ──────────────────────────────────────────────
//
// Every queue that input can grow is bounded. Work that may be dropped is dropped (a peer's
// consensus message: PBFT and Raft retransmit) or refused with a code the client can retry on;
// a chain's own work (ticks, commits, synced blocks, close) is never dropped — its producers are
// bounded instead (one pending tick, block sync applies one block at a time).

/** Tasks waiting on (or running in) one chain's serial queue; beyond it peers' consensus messages are dropped. */
export const CHAIN_QUEUE_TASKS_MAX = 1024
/**
 * Bytes of peers' consensus messages waiting on one chain's serial queue; beyond it they are
 * dropped. Derived: the largest message one frame carries always fits an otherwise empty queue.
 */
export const CHAIN_QUEUE_STEP_BYTES_MAX = 4 * MESSAGE_BYTES_MAX
/** Clients waiting for txs to commit (tx send --wait, tx wait), per chain; more get UNAVAILABLE. */
export const TX_WAITERS_MAX = 100_000
/** Clients waiting for one tx; more get UNAVAILABLE. */
export const TX_WAITERS_PER_TX_MAX = 256
/** Bytes of the txs in one chain's mempool (the genesis `mempoolTxsMax` bounds their count). */
export const MEMPOOL_BYTES_MAX = 256 * MiB
/** Client txs a node gathers before forwarding them to its peers as one batch (flushed at once when reached). */
export const FORWARD_BATCH_TXS_MAX = 512
/**
 * A client's tx still pending here is forwarded again after this wait (a lost forward would leave
 * it with no path to a Raft leader or a PBFT proposer), the wait doubling per resend up to
 * REFORWARD_AFTER_MS_MAX; a client resending a pending tx makes it due at once.
 */
export const REFORWARD_AFTER_MS = 3_000
export const REFORWARD_AFTER_MS_MAX = 48_000
/** Pending txs forwarded again per chain and second at most (one full forward batch). */
export const REFORWARD_TXS_PER_SECOND_MAX = 512
/** Tx bytes a node gathers before forwarding them (a batch ends past this by less than one tx). */
export const FORWARD_BATCH_BYTES_MAX = 1 * MiB
/** Signatures queued or in flight in the SM2 verify pool; beyond it a batch is refused (MEMPOOL_FULL). */
export const VERIFY_POOL_QUEUED_ITEMS_MAX = 65_536
/** Message bytes queued or in flight in the SM2 verify pool; beyond it a batch is refused (MEMPOOL_FULL). */
export const VERIFY_POOL_QUEUED_BYTES_MAX = 64 * MiB
/** Ledger writes (block commits, meta writes) queued at once; more are refused (UNAVAILABLE). */
export const LEDGER_WRITES_QUEUED_MAX = 1024

// ── Governance (chain/governance: proposals and votes; chain/consortium) ─────────────────────

/** Votes on one proposal (one per signer): far above any consortium's admin count. */
export const PROPOSAL_VOTES_MAX = 256
/** Proposals voting at once, chain-wide, and per proposer (a proposer cannot crowd out the rest). */
export const PROPOSALS_OPEN_MAX = 256
export const PROPOSALS_OPEN_PER_PROPOSER_MAX = 32
/** An executed action's result kept in the proposal record (a longer one is replaced by a note). */
export const PROPOSAL_RESULT_BYTES_MAX = 4 * KiB
/** Blocks a proposal stays open at most (its expiry height is at most this far ahead). */
export const PROPOSAL_EXPIRY_BLOCKS_MAX = 100_000
/** Bytes of one vote in a proposal record, signature and evaluation entry included (an upper bound). */
export const PROPOSAL_VOTE_BYTES_MAX = 1 * KiB

