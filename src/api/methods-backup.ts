/**
 * JSON-RPC methods for backup (merged into rpcMethods in methods.ts). A running node holds its
 * LevelDB lock, so `wichain backup create` reads committed blocks through `chain.blocks`.
 */
import {toHex} from '../core/bytes.js'
import {WichainError} from '../core/errors.js'
import {encodeCertificate} from '../core/types/certificate.js'
import type {RpcMethod} from './methods.js'
import {optionalChain, type RpcParams} from './params.js'

export const CHAIN_BLOCKS_LIMITS = Object.freeze({countMax: 64, bytesMax: 8 * 1024 * 1024})

function uintParam(params: RpcParams, name: string, min: number, max: number): number {
  const value = params[name]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new WichainError('INVALID_ARGUMENT', `param "${name}" must be an integer in ${min}..${max}`)
  }
  return value
}

export const backupMethods: Record<string, RpcMethod> = {
  /**
   * Committed blocks `from`, `from+1`, … (at most `count`, and fewer once ~8 MiB are gathered, but
   * always at least one when `from` is committed) with their commit certificates, as hex of their
   * canonical encodings. `head` is the node's head when the call ran.
   */
  'chain.blocks': async (node, params) => {
    const chain = node.chain(optionalChain(params))
    const from = uintParam(params, 'from', 1, Number.MAX_SAFE_INTEGER)
    const count = uintParam(params, 'count', 1, CHAIN_BLOCKS_LIMITS.countMax)
    const head = chain.head()
    const blocks: Array<{height: number; block: string; certificate: string}> = []
    let bytes = 0
    for (let height = from; height < from + count && height <= head.height && bytes < CHAIN_BLOCKS_LIMITS.bytesMax; height++) {
      const [committed] = await chain.committedBlocks(height, 1)
      if (committed === undefined) break
      const certificate = encodeCertificate(committed.certificate)
      bytes += committed.payload.length + certificate.length
      blocks.push({height, block: toHex(committed.payload), certificate: toHex(certificate)})
    }
    return {chainId: chain.chainId, head: {height: head.height, hash: toHex(head.hash)}, blocks}
  },
}
