/**
 * JSON-RPC methods for backup (merged into rpcMethods in methods.ts). A running node holds its
 * LevelDB lock, so `wichain backup create` reads committed blocks through `chain.blocks`.
 */
import {toHex} from '../core/bytes.js'
import {WichainError} from '../core/errors.js'
import {RPC_CHAIN_BLOCKS_ANSWER_BYTES_MAX, RPC_CHAIN_BLOCKS_COUNT_MAX} from '../core/limits.js'
import {encodeCertificate} from '../core/types/certificate.js'
import type {RpcMethod} from './methods.js'
import {optionalChain, type RpcParams} from './params.js'

/** JSON around one block in the answer (`{"height":…,"block":"…","certificate":"…"},`), an upper bound. */
const ITEM_OVERHEAD_BYTES = 64

function uintParam(params: RpcParams, name: string, min: number, max: number): number {
  const value = params[name]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new WichainError('INVALID_ARGUMENT', `param "${name}" must be an integer in ${min}..${max}`)
  }
  return value
}

export const backupMethods: Record<string, RpcMethod> = {
  /**
   * Committed blocks `from`, `from+1`, … with their commit certificates, as hex of their canonical
   * encodings: at most `count`, and no more answer bytes than RPC_CHAIN_BLOCKS_ANSWER_BYTES_MAX or
   * what the request's answer budget has left, but always at least one when `from` is committed
   * (a caller asks again from the next height). Blocks are read one at a time and only their hex
   * is kept. `head` is the node's head when the call ran.
   */
  'chain.blocks': async (node, params, context) => {
    const chain = node.chain(optionalChain(params))
    const from = uintParam(params, 'from', 1, Number.MAX_SAFE_INTEGER)
    const count = uintParam(params, 'count', 1, RPC_CHAIN_BLOCKS_COUNT_MAX)
    const bytesMax = Math.min(RPC_CHAIN_BLOCKS_ANSWER_BYTES_MAX, context?.answerBytesLeft ?? Number.POSITIVE_INFINITY)
    const head = chain.head()
    const blocks: Array<{height: number; block: string; certificate: string}> = []
    let bytes = 0
    for (let height = from; height < from + count && height <= head.height; height++) {
      const [committed] = await chain.committedBlocks(height, 1)
      if (committed === undefined) break
      const certificate = encodeCertificate(committed.certificate)
      const itemBytes = 2 * (committed.payload.length + certificate.length) + ITEM_OVERHEAD_BYTES
      if (blocks.length > 0 && bytes + itemBytes > bytesMax) break
      bytes += itemBytes
      blocks.push({height, block: toHex(committed.payload), certificate: toHex(certificate)})
    }
    return {chainId: chain.chainId, head: {height: head.height, hash: toHex(head.hash)}, blocks}
  },
}
