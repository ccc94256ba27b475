/** Reading JSON-RPC params: the checks every method file shares (a clear INVALID_ARGUMENT each). */
import {WichainError} from '../core/errors.js'

export type RpcParams = Record<string, unknown>

export function stringParam(params: RpcParams, name: string): string {
  const value = params[name]
  if (typeof value !== 'string' || value.length === 0) throw new WichainError('INVALID_ARGUMENT', `param "${name}" must be a non-empty string`)
  return value
}

export function optionalChain(params: RpcParams): string | undefined {
  const chainId = params.chainId
  if (chainId === undefined) return undefined
  if (typeof chainId !== 'string') throw new WichainError('INVALID_ARGUMENT', 'param "chainId" must be a string')
  return chainId
}

export function hashParam(params: RpcParams, name: string): string {
  const hash = stringParam(params, name).toLowerCase().replace(/^0x/, '')
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new WichainError('INVALID_ARGUMENT', `param "${name}" must be a 32-byte hex hash`)
  return hash
}
