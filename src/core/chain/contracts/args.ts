/**
 * Reading the args of a system contract method: one object, with only the keys the method knows.
 * A tx's args reach a method already parsed by the strict parser (types/tx.ts parseTxArgs, within
 * the "Tx args (JSON)" limits); a query's args come parsed by the RPC layer, so their nesting is
 * checked here too (without recursion), and no method can walk a value deep enough to exhaust
 * the stack.
 */
import {jsonDepthWithin} from '../../codec/json-depth.js'
import {WichainError} from '../../errors.js'
import {TX_ARGS_DEPTH_MAX} from '../../limits.js'

export type Args = Readonly<Record<string, unknown>>

/**
 * `args` as an object (INVALID_ARGUMENT, naming `contract`, otherwise). With `allowed`, a key not
 * in it is refused too.
 */
export function argsObject(contract: string, args: unknown, allowed?: readonly string[]): Args {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new WichainError('INVALID_ARGUMENT', `${contract}: args must be an object`)
  if (!jsonDepthWithin(args, TX_ARGS_DEPTH_MAX)) {
    throw new WichainError('INVALID_ARGUMENT', `${contract}: args nest deeper than ${TX_ARGS_DEPTH_MAX} levels (TX_ARGS_DEPTH_MAX)`)
  }
  if (allowed !== undefined) {
    const unknown = Object.keys(args).filter((key) => !allowed.includes(key))
    if (unknown.length > 0) {
      const names = unknown.map((key) => JSON.stringify(key)).join(', ')
      throw new WichainError('INVALID_ARGUMENT', `${contract}: unknown argument ${names} (allowed: ${allowed.join(', ') || 'none'})`)
    }
  }
  return args as Args
}
