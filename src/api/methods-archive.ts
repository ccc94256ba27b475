/**
 * JSON-RPC methods for the archive (spec §8.4.6), merged into rpcMethods in methods.ts. They run
 * inside the node against the chain's ledger, so each archive or restore step's batch lands on
 * the ledger's write queue, in order with block commits. `segmentsMax` lets a caller move one
 * segment per call and report progress between calls.
 *
 *   archive.run     {chainId?, below, segmentsMax?}  → step result (+ diskBytesBefore/After)
 *   archive.restore {chainId?, segmentsMax?}         → step result
 *   archive.list    {chainId?}                       → {chainId, directory, archivedBelow, height, diskBytes, segments}
 *
 * `directory` is relative to the node's home: a caller learns where the segments are, not the
 * machine's layout.
 */
import {relative} from 'node:path'
import {WichainError} from '../core/errors.js'
import {stepResultToJson} from '../core/ledger/index.js'
import type {Node} from '../core/node/node.js'
import type {RpcMethod} from './methods.js'
import {optionalChain, type RpcParams} from './params.js'

function chainOf(node: Node, params: RpcParams) {
  return node.chain(optionalChain(params))
}

function integerParam(params: RpcParams, name: string, required: boolean): number | undefined {
  const value = params[name]
  if (value === undefined && !required) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new WichainError('INVALID_ARGUMENT', `param "${name}" must be an integer`)
  return value
}

export const archiveMethods: Record<string, RpcMethod> = {
  'archive.run': async (node, params) => {
    const {ledger} = chainOf(node, params)
    const result = await ledger.archive(integerParam(params, 'below', true)!, {segmentsMax: integerParam(params, 'segmentsMax', false)})
    return {...stepResultToJson(result), diskBytesBefore: result.diskBytesBefore, diskBytesAfter: result.diskBytesAfter}
  },

  'archive.restore': async (node, params) => {
    const {ledger} = chainOf(node, params)
    return stepResultToJson(await ledger.restoreArchive({segmentsMax: integerParam(params, 'segmentsMax', false)}))
  },

  'archive.list': (node, params) => {
    const chain = chainOf(node, params)
    const stats = chain.ledger.stats()
    const status = chain.ledger.archiveStatus()
    return {chainId: chain.chainId, height: stats.height, diskBytes: stats.diskBytes, ...status, directory: relative(node.home, status.directory)}
  },
}
