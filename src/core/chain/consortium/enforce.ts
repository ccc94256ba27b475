/**
 * Which resource a tx acts on, and whether its sender alone may act on it (version 2 chains).
 * The executor asks this for every tx (a failed receipt with UNAUTHORIZED, the resource and the
 * policy), and admission asks it before the mempool against committed state (refused at once).
 * Governance methods decide for themselves: proposals gather several signatures.
 */
import {governingResource, requireAuthorized, type Decision} from '../../authz/authorize.js'
import {userCallResources} from '../../authz/resources.js'
import {toHex} from '../../bytes.js'
import {WichainError} from '../../errors.js'
import {parseTxArgs, type Tx} from '../../types/tx.js'
import type {CallContext, ContractMethod, ResourceRef, SystemContract} from '../contracts/contract.js'
import type {ConsortiumView} from './view.js'

/** The resource of a system-contract call: the method's own, else `<contract>.<method>` (reads: `chain.read`). */
export function resourceOfSystemCall(contract: string, methodName: string, method: ContractMethod, args: unknown, context: CallContext): ResourceRef {
  if (method.resource !== undefined) return method.resource(args, context)
  return {resource: method.readOnly ? 'chain.read' : `${contract}.${methodName}`}
}

/**
 * UNAUTHORIZED unless the sender alone meets the policy of the call's resource. Undefined for a
 * self-authorising method (governance).
 */
export function authorizeSystemCall(view: ConsortiumView, contract: string, methodName: string, method: ContractMethod, args: unknown, context: CallContext): Decision | undefined {
  if (method.selfAuthorizing === true) return undefined
  const ref = resourceOfSystemCall(contract, methodName, method, args, context)
  return requireAuthorized(view, ref.resource, context.sender.address, ref.ownerOrg)
}

export function authorizeUserCall(view: ConsortiumView, contract: string, method: string, sender: string): Decision {
  return requireAuthorized(view, governingResource(view, userCallResources(contract, method)), sender)
}

/**
 * Before the mempool (version 2 chains): the check the executor will make, against committed
 * state, so an unauthorised tx is refused at once instead of committing as a failed receipt.
 */
export function authorizeAtAdmission(view: ConsortiumView, contracts: ReadonlyMap<string, SystemContract>, tx: Tx, height: number): void {
  const contract = contracts.get(tx.body.contract)
  if (contract === undefined) {
    authorizeUserCall(view, tx.body.contract, tx.body.method, tx.senderAddress)
    return
  }
  const method = Object.hasOwn(contract.methods, tx.body.method) ? contract.methods[tx.body.method] : undefined
  if (method === undefined) throw new WichainError('UNKNOWN_CONTRACT', `contract "${tx.body.contract}" has no method "${tx.body.method}"`)
  const context: CallContext = {
    chainId: tx.body.chainId,
    height,
    blockTime: 0,
    txHash: tx.hashHex,
    sender: {address: tx.senderAddress, publicKey: toHex(tx.body.sender), role: view.account(tx.senderAddress)?.roles[0]},
    consortium: view,
  }
  authorizeSystemCall(view, tx.body.contract, tx.body.method, method, parseTxArgs(tx.body.args), context)
}
