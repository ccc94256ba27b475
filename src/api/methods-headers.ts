/**
 * JSON-RPC for header-only nodes (spec §8.4.2 partial sync) and for checking a tx certificate
 * against a node's own store; merged into rpcMethods in methods.ts, which also sends `block.get`
 * and `chain.status` here on a header-only node.
 *
 *   cert.check {chainId?, certificate}  → the `cert verify` result, plus: the block is the one
 *                                          this node holds at that height (full or header-only)
 */
import {fromHex} from '../core/bytes.js'
import {verifyTxCertificateAgainst} from '../core/chain/tx-certificate.js'
import {WichainError} from '../core/errors.js'
import type {HeaderChain} from '../core/node/header-chain.js'
import type {StoredHeader} from '../core/ledger/header-store.js'
import {headerToJson} from '../core/types/block.js'
import {certificateToJson} from '../core/types/certificate.js'
import type {RpcMethod} from './methods.js'
import {optionalChain, type RpcParams} from './params.js'

/** `block.get` on a header-only node: header fields (with txCount) and certificate, no txs. */
export async function headerBlock(chain: HeaderChain, params: RpcParams): Promise<Record<string, unknown>> {
  const which = params.height ?? params.hash ?? 'latest'
  let stored: StoredHeader | undefined
  if (which === 'latest') stored = await chain.getHeader(chain.head().height)
  else if (typeof which === 'number' && Number.isSafeInteger(which) && which >= 0) stored = await chain.getHeader(which)
  else if (typeof params.hash === 'string' && /^(0x)?[0-9a-fA-F]{64}$/.test(params.hash)) stored = await chain.getHeaderByHash(fromHex(params.hash.toLowerCase().replace(/^0x/, '')))
  else throw new WichainError('INVALID_ARGUMENT', 'give "height" (number or "latest") or "hash" (32-byte hex)')
  if (stored === undefined) throw new WichainError('NOT_FOUND', `no such block header on chain "${chain.chainId}"`)
  return {
    ...headerToJson(stored.header, stored.hash),
    certificate: stored.certificate === null ? null : certificateToJson(stored.certificate),
    sync: 'headers',
  }
}

export const headerMethods: Record<string, RpcMethod> = {
  'cert.check': (node, params) => {
    const chainId = optionalChain(params)
    if (typeof params.certificate !== 'object' || params.certificate === null) throw new WichainError('INVALID_ARGUMENT', 'param "certificate" must be a certificate document')
    const headers = node.headerChain(chainId)
    if (headers !== undefined) return headers.checkTxCertificate(params.certificate)
    const chain = node.chain(chainId)
    return verifyTxCertificateAgainst(params.certificate, chain.genesis, async (height) => (height <= chain.head().height ? (await chain.ledger.getHeader(height))?.hash : undefined))
  },
}
