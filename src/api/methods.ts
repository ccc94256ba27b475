/**
 * The JSON-RPC methods. Each takes `{chainId?, ...}` params (the node's default chain when
 * omitted) and returns plain JSON. Hex everywhere for bytes.
 */
import {fromHex, toHex} from '../core/bytes.js'
import {WichainError} from '../core/errors.js'
import type {Node} from '../core/node/node.js'
import {headerToJson, type Block} from '../core/types/block.js'
import {certificateToJson} from '../core/types/certificate.js'
import {receiptToJson} from '../core/types/receipt.js'
import {txToJson} from '../core/types/tx.js'
import {adminMethods} from './methods-admin.js'
import {archiveMethods} from './methods-archive.js'
import {backupMethods} from './methods-backup.js'
import {headerBlock, headerMethods} from './methods-headers.js'

import {hashParam, optionalChain, stringParam, type RpcParams} from './params.js'

export type {RpcParams} from './params.js'
/** What the dispatcher tells a method: answer bytes left in this request's budget (see rpc-batch.ts). */
export interface RpcContext {
  readonly answerBytesLeft: number
}
export type RpcMethod = (node: Node, params: RpcParams, context: RpcContext) => Promise<unknown> | unknown

const WAIT_MS_MAX = 60_000

async function blockJson(node: Node, params: RpcParams, block: Block): Promise<Record<string, unknown>> {
  const chain = node.chain(optionalChain(params))
  const certificate = await chain.getCertificate(block.header.height)
  return {
    ...headerToJson(block.header, block.hash),
    txs: block.txs.map((tx) => tx.hashHex),
    certificate: certificate === undefined ? null : certificateToJson(certificate),
  }
}

const coreMethods: Record<string, RpcMethod> = {
  'node.status': (node) => node.status(),

  'chain.status': (node, params) => (node.headerChain(optionalChain(params)) ?? node.chain(optionalChain(params))).status(),

  'tx.send': async (node, params) => {
    const chain = node.chain(optionalChain(params))
    const txHash = await chain.submitTx(fromHex(stringParam(params, 'tx'), 'tx'))
    const waitMs = Math.min(Number(params.waitMs ?? 0), WAIT_MS_MAX)
    if (!(waitMs > 0)) return {txHash, status: 'pending'}
    const location = await chain.waitForTx(txHash, waitMs)
    return location === undefined ? {txHash, status: 'pending'} : location
  },

  'tx.wait': async (node, params) => {
    const chain = node.chain(optionalChain(params))
    const txHash = hashParam(params, 'hash')
    const location = await chain.waitForTx(txHash, Math.min(Number(params.timeoutMs ?? 10_000), WAIT_MS_MAX))
    if (location !== undefined) return location
    return {txHash, status: chain.isPending(txHash) ? 'pending' : 'unknown'}
  },

  'tx.get': async (node, params) => {
    const chain = node.chain(optionalChain(params))
    const txHash = hashParam(params, 'hash')
    const found = await chain.getTx(txHash)
    if (found === undefined) {
      if (chain.isPending(txHash)) return {txHash, status: 'pending'}
      throw new WichainError('NOT_FOUND', `tx ${txHash} is not known on chain "${chain.chainId}"`)
    }
    return {
      txHash,
      height: found.height,
      index: found.index,
      blockHash: toHex(found.blockHash),
      status: found.receipt.status,
      tx: txToJson(found.tx),
      receipt: receiptToJson(found.receipt),
    }
  },

  'tx.proof': (node, params) => node.chain(optionalChain(params)).getTxCertificate(hashParam(params, 'hash')),

  'block.get': async (node, params) => {
    const headers = node.headerChain(optionalChain(params))
    if (headers !== undefined) return headerBlock(headers, params)
    const chain = node.chain(optionalChain(params))
    const which = params.height ?? params.hash ?? 'latest'
    let block: Block | undefined
    if (which === 'latest') block = await chain.getBlock(chain.head().height)
    else if (typeof which === 'number' && Number.isSafeInteger(which) && which >= 0) block = await chain.getBlock(which)
    else if (typeof params.hash === 'string') block = await chain.getBlockByHash(fromHex(hashParam(params, 'hash')))
    else throw new WichainError('INVALID_ARGUMENT', 'give "height" (number or "latest") or "hash"')
    if (block === undefined) throw new WichainError('NOT_FOUND', `no such block on chain "${chain.chainId}"`)
    return blockJson(node, params, block)
  },

  'contract.query': (node, params) => {
    const chain = node.chain(optionalChain(params))
    return {result: chain.query(stringParam(params, 'contract'), stringParam(params, 'method'), params.args ?? {})}
  },
}

export const rpcMethods: Record<string, RpcMethod> = {...coreMethods, ...backupMethods, ...archiveMethods, ...adminMethods, ...headerMethods}
