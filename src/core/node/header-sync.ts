/**
 * Header sync payloads and serving (spec §8.4.2 partial sync). A header-only node asks a full
 * node for `headers` from a height; the answer carries each header with its commit certificate
 * and, for every block among them that changed the node set, its membership link
 * (chain/membership.ts), so the asker can follow the validator set without any tx bodies.
 * Answers are bounded in headers, links and bytes; the asker verifies everything.
 */
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readRecord} from '../codec/fields.js'
import {WichainError} from '../errors.js'
import type {Ledger} from '../ledger/index.js'
import {decodeHeader, encodeHeader, type BlockHeader} from '../types/block.js'
import {certificateFromDocument, certificateToDocument, type CommitCertificate} from '../types/certificate.js'
import {changeHeights, membershipLink, readMembershipLink, type MembershipLink, type MembershipSource} from '../chain/membership.js'
import {SYNC_ANSWER_BYTES_MAX, SYNC_HEADERS_PER_ANSWER_MAX, SYNC_LINKS_PER_ANSWER_MAX} from '../limits.js'

export const HEADER_SYNC_LIMITS = Object.freeze({
  headersPerAnswerMax: SYNC_HEADERS_PER_ANSWER_MAX,
  /** Node-set changes per answer: the range ends at the last one that fits. */
  linksPerAnswerMax: SYNC_LINKS_PER_ANSWER_MAX,
  /** Encoded answer bytes past the first header (limits.ts: within a frame). */
  answerBytesMax: SYNC_ANSWER_BYTES_MAX,
})

export interface HeaderEntry {
  readonly header: BlockHeader
  readonly certificate: CommitCertificate
}

export interface HeadersAnswer {
  readonly headers: readonly HeaderEntry[]
  /** Links of the node-set changes among `headers`, in height order. */
  readonly links: readonly MembershipLink[]
}

export function encodeHeadersAnswer(answer: HeadersAnswer): Uint8Array {
  return encodeCanonical({
    headers: answer.headers.map((entry) => ({header: encodeHeader(entry.header), certificate: certificateToDocument(entry.certificate)})),
    links: answer.links,
  })
}

export function decodeHeadersAnswer(bytes: Uint8Array): HeadersAnswer {
  const fields = readRecord(decodeCanonical(bytes, 'sync headers'), 'sync headers', ['headers', 'links'])
  const headers = readArray(fields.headers, 'headers', HEADER_SYNC_LIMITS.headersPerAnswerMax).map((entry, index) => {
    const record = readRecord(entry, `headers[${index}]`, ['header', 'certificate'])
    return {header: decodeHeader(readBytes(record.header, 'header')), certificate: certificateFromDocument(record.certificate)}
  })
  const links = readArray(fields.links, 'links', HEADER_SYNC_LIMITS.linksPerAnswerMax).map(readMembershipLink)
  return {headers, links}
}

/** What a full node serves headers from: a Chain fits. */
export interface HeaderSource extends MembershipSource {
  head(): {height: number}
  readonly ledger: MembershipSource['ledger'] & Pick<Ledger, 'getHeader'>
}

/** Headers `from`..`from + count - 1` (at most to the head), with the links of changes among them. */
export async function serveHeaders(source: HeaderSource, from: number, count: number): Promise<HeadersAnswer> {
  const first = Math.max(1, from)
  const last = Math.min(source.head().height, first + Math.min(count, HEADER_SYNC_LIMITS.headersPerAnswerMax) - 1)
  const changes = new Set(changeHeights(source, last + 1).filter((height) => height >= first))
  const headers: HeaderEntry[] = []
  const links: MembershipLink[] = []
  let bytes = 0
  for (let height = first; height <= last; height++) {
    const [stored, certificate] = await Promise.all([source.ledger.getHeader(height), source.ledger.getCertificate(height)])
    if (stored === undefined || !certificate) throw new WichainError('CORRUPT_DATA', `header or certificate of block ${height} is missing`)
    const entry = {header: stored.header, certificate}
    let link: MembershipLink | undefined
    if (changes.has(height)) {
      const [block, receipts] = await Promise.all([source.ledger.getBlock(height), source.ledger.getReceipts(height)])
      if (block === undefined || receipts === undefined) throw new WichainError('CORRUPT_DATA', `block ${height} (a node-set change) is incomplete in the store`)
      link = membershipLink({header: block.header, txs: block.txs, receipts, certificate})
    }
    bytes += encodeHeadersAnswer({headers: [entry], links: link === undefined ? [] : [link]}).length
    if (bytes > HEADER_SYNC_LIMITS.answerBytesMax && headers.length > 0) break
    headers.push(entry)
    if (link !== undefined) links.push(link)
    if (links.length >= HEADER_SYNC_LIMITS.linksPerAnswerMax) break
  }
  return {headers, links}
}
