/**
 * Block-sync payloads on the 'sync' channel (canonical CBOR): a peer asks for `status` (height and
 * head hash) or for committed `blocks` from a height, answered with block bytes + certificates.
 * Every answer is checked by the engine (certificate against the validators) before it is applied.
 * Header-only nodes ask for `headers` (answered as in header-sync.ts).
 */
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readEnum, readRecord, readUint} from '../codec/fields.js'
import type {CommittedBlock} from '../consensus/engine.js'
import {certificateFromDocument, certificateToDocument} from '../types/certificate.js'

import {SYNC_BLOCKS_PER_ANSWER_MAX, SYNC_HEADERS_PER_ANSWER_MAX, TX_BATCH_TXS_MAX} from '../limits.js'

export {SYNC_BLOCKS_PER_ANSWER_MAX, SYNC_HEADERS_PER_ANSWER_MAX, TX_BATCH_TXS_MAX}

export type SyncQuery =
  | {readonly type: 'status'}
  | {readonly type: 'blocks'; readonly from: number; readonly count: number}
  /** Txs by hash, for a replica resolving a compact proposal (answered as a tx batch). */
  | {readonly type: 'txs'; readonly hashes: readonly Uint8Array[]}
  /** Headers with certificates and the membership links of node-set changes among them. */
  | {readonly type: 'headers'; readonly from: number; readonly count: number}

export function encodeSyncQuery(query: SyncQuery): Uint8Array {
  return encodeCanonical(query)
}

export function decodeSyncQuery(bytes: Uint8Array): SyncQuery {
  const document = decodeCanonical(bytes, 'sync query') as Record<string, unknown>
  const type = readEnum(document?.type, 'sync query type', ['status', 'blocks', 'txs', 'headers'] as const)
  if (type === 'status') {
    readRecord(document, 'sync query', ['type'])
    return {type}
  }
  if (type === 'txs') {
    const fields = readRecord(document, 'sync query', ['type', 'hashes'])
    return {type, hashes: readArray(fields.hashes, 'hashes', TX_BATCH_TXS_MAX).map((hash, index) => readBytes(hash, `hashes[${index}]`, {exact: 32}))}
  }
  const fields = readRecord(document, 'sync query', ['type', 'from', 'count'])
  const countMax = type === 'headers' ? SYNC_HEADERS_PER_ANSWER_MAX : SYNC_BLOCKS_PER_ANSWER_MAX
  return {type, from: readUint(fields.from, 'from'), count: Math.min(readUint(fields.count, 'count'), countMax)}
}

export function encodeStatusAnswer(status: {height: number; hash: Uint8Array}): Uint8Array {
  return encodeCanonical({height: status.height, hash: status.hash})
}

export function decodeStatusAnswer(bytes: Uint8Array): {height: number; hash: Uint8Array} {
  const fields = readRecord(decodeCanonical(bytes, 'sync status'), 'sync status', ['height', 'hash'])
  return {height: readUint(fields.height, 'height'), hash: readBytes(fields.hash, 'hash', {exact: 32})}
}

export function encodeBlocksAnswer(blocks: readonly CommittedBlock[]): Uint8Array {
  return encodeCanonical({blocks: blocks.map((block) => ({height: block.height, payload: block.payload, certificate: certificateToDocument(block.certificate)}))})
}

export function decodeBlocksAnswer(bytes: Uint8Array): CommittedBlock[] {
  const fields = readRecord(decodeCanonical(bytes, 'sync blocks'), 'sync blocks', ['blocks'])
  return readArray(fields.blocks, 'blocks', SYNC_BLOCKS_PER_ANSWER_MAX).map((entry, index) => {
    const block = readRecord(entry, `blocks[${index}]`, ['height', 'payload', 'certificate'])
    return {
      height: readUint(block.height, 'height'),
      payload: readBytes(block.payload, 'payload'),
      certificate: certificateFromDocument(block.certificate),
    }
  })
}

/** Forwarded client txs: a canonical CBOR array of tx bytes (each decoded and checked on admission). */

export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  return encodeCanonical(txs)
}

export function decodeTxBatch(bytes: Uint8Array): Uint8Array[] {
  return readArray(decodeCanonical(bytes, 'tx batch'), 'tx batch', TX_BATCH_TXS_MAX).map((entry, index) => readBytes(entry, `tx batch[${index}]`))
}
