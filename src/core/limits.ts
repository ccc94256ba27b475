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
export const CERTIFICATE_BYTES_MAX = 64 * KiB
export const SYNC_ITEM_OVERHEAD_BYTES = 64
export const BLOCK_BYTES_MAX = 8 * MiB

// ── Sync answers (blocks, headers, txs by hash) ───────────────────────────────────────────────

/** Bytes of items in one sync answer: an answer stops adding items here, but carries at least one. */
export const SYNC_ANSWER_BYTES_MAX = BLOCK_BYTES_MAX + CERTIFICATE_BYTES_MAX + SYNC_ITEM_OVERHEAD_BYTES
/** Blocks per sync answer. */
export const SYNC_BLOCKS_PER_ANSWER_MAX = 64
/** Headers per sync answer. */
export const SYNC_HEADERS_PER_ANSWER_MAX = 256
/** Txs per tx-fetch answer (and per forwarded tx batch). */
export const TX_BATCH_TXS_MAX = 1024
