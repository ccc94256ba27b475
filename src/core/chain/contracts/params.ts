/**
 * `params` (version 2 chains): chain parameters changed at run time — block size and interval,
 * the tx expiry window, the mempool size, gas limits. A change is consortium-wide (resource
 * `chain.params`, a MAJORITY of org admins by default, through a proposal) and takes effect
 * from the next block: every node reads the parameters of block h from the state before it.
 * The genesis parameters are the base; one state key per changed parameter.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readUint} from '../../codec/fields.js'
import {WichainError} from '../../errors.js'
import {parseParams, type ChainParams} from '../genesis.js'
import {argsObject} from './args.js'
import type {ContractState, SystemContract} from './contract.js'

export const PARAMS_CONTRACT_NAME = 'params'
const NAMES: readonly (keyof ChainParams)[] = ['blockTxsMax', 'blockIntervalMs', 'txExpiryWindow', 'mempoolTxsMax', 'txGasMax', 'blockGasMax']

const paramKey = (name: string): string => `param/${name}`

/** The parameters in force: the genesis ones with the changes in state. */
export function effectiveParams(genesis: ChainParams, state: Pick<ContractState, 'get'>): ChainParams {
  let params: ChainParams | undefined
  for (const name of NAMES) {
    const bytes = state.get(paramKey(name))
    if (bytes === undefined) continue
    params = {...(params ?? genesis), [name]: readUint(decodeCanonical(bytes, `param ${name}`), `param ${name}`)}
  }
  return params ?? genesis
}

export function createParamsContract(genesis: ChainParams): SystemContract {
  return {
    name: PARAMS_CONTRACT_NAME,
    description: 'chain parameters: set (consortium-wide, from the next block), get',
    methods: {
      set: {
        readOnly: false,
        resource: () => ({resource: 'chain.params'}),
        run(state, rawArgs) {
          const args = argsObject(PARAMS_CONTRACT_NAME, rawArgs ?? {}, ['name', 'value'])
          if (typeof args.name !== 'string' || !(NAMES as readonly string[]).includes(args.name)) {
            throw new WichainError('INVALID_ARGUMENT', `params: name must be one of ${NAMES.join(', ')}`)
          }
          // The whole set must stay valid (e.g. blockGasMax at least txGasMax).
          const next = parseParams({...effectiveParams(genesis, state), [args.name]: args.value})
          state.set(paramKey(args.name), encodeCanonical(next[args.name as keyof ChainParams]))
          return {params: next, changed: args.name}
        },
      },
      get: {readOnly: true, run: (state, rawArgs) => (argsObject(PARAMS_CONTRACT_NAME, rawArgs ?? {}, []), {params: effectiveParams(genesis, state)})},
    },
  }
}
