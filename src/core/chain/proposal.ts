/**
 * Consensus payloads of a chain. Two encodings of one block, both hashing to the header hash:
 *
 * - full:    {header, txs}       — what block sync and the ledger carry; self-contained.
 * - compact: {header, txHashes}  — what a PBFT primary proposes. Every validator already holds the
 *   txs (clients' txs are forwarded to all peers on admission), so a proposal of 2,000 txs is
 *   ~70 KB instead of ~700 KB, and replicas take the decoded, signature-checked txs from their
 *   mempool instead of decoding them again. Txs a replica lacks are fetched from peers; the
 *   header's txRoot (over the full tx bytes, signatures included) decides whether what was
 *   found is exactly what was proposed.
 *
 * Owns: both encodings, parsing a payload of either kind, and resolving a compact one against a
 * tx lookup. Does not own: where the txs come from (mempool, fetch) or block validity rules.
 */
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readRecord} from '../codec/fields.js'
import {toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {BLOCK_LIMITS, blockFromDocument, checkBlockBody, createBlock, headerDocument, headerFromDocument, hashHeader, type Block, type BlockHeader} from '../types/block.js'
import type {Tx} from '../types/tx.js'

/** A payload parsed, not yet resolved: the block itself (full) or its header and tx hashes. */
export type ParsedPayload =
  | {readonly kind: 'full'; readonly block: Block; readonly hash: Uint8Array; readonly hashHex: string}
  | {readonly kind: 'compact'; readonly header: BlockHeader; readonly hash: Uint8Array; readonly hashHex: string; readonly txHashes: readonly string[]}

export type Resolution = {readonly block: Block; readonly missing?: undefined} | {readonly block?: undefined; readonly missing: readonly string[]}

export function encodeCompactProposal(block: Block): Uint8Array {
  return encodeCanonical({header: headerDocument(block.header), txHashes: block.txs.map((tx) => tx.hash)})
}

export function parsePayload(bytes: Uint8Array): ParsedPayload {
  const document = decodeCanonical(bytes, 'block payload') as Record<string, unknown>
  if (document !== null && typeof document === 'object' && Object.hasOwn(document, 'txHashes')) {
    const fields = readRecord(document, 'compact block', ['header', 'txHashes'])
    const header = headerFromDocument(fields.header)
    const txHashes = readArray(fields.txHashes, 'compact block txHashes', BLOCK_LIMITS.txsMax).map((hash, index) => toHex(readBytes(hash, `txHashes[${index}]`, {exact: 32})))
    if (txHashes.length !== header.txCount) {
      throw new WichainError('DECODE_ERROR', `block ${header.height}: header says ${header.txCount} txs, proposal lists ${txHashes.length}`)
    }
    const hash = hashHeader(header)
    return Object.freeze({kind: 'compact', header, hash, hashHex: toHex(hash), txHashes: Object.freeze(txHashes)})
  }
  const block = blockFromDocument(document)
  return Object.freeze({kind: 'full', block, hash: block.hash, hashHex: block.hashHex})
}

/**
 * The block of a parsed payload, its txs looked up by hash; or the hashes not found. A compact
 * payload whose found txs do not match its txRoot is CORRUPT_DATA (a faulty proposer).
 */
export function resolvePayload(parsed: ParsedPayload, lookup: (hashHex: string) => Tx | undefined): Resolution {
  if (parsed.kind === 'full') return {block: parsed.block}
  const txs: Tx[] = []
  const missing: string[] = []
  for (const hashHex of parsed.txHashes) {
    const tx = lookup(hashHex)
    if (tx === undefined) missing.push(hashHex)
    else txs.push(tx)
  }
  if (missing.length > 0) return {missing}
  // Frozen: its txRoot is computed once here and reused by assembly and commit.
  Object.freeze(txs)
  checkBlockBody(parsed.header, txs)
  return {block: createBlock(parsed.header, txs)}
}
