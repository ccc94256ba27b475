/**
 * Rules a tx must pass to enter a block (checked on admission to the mempool and again, by every
 * validator, for each tx of a proposed block). Breaking one makes the whole block invalid, unlike
 * contract failures, which only fail the tx's receipt. All are read from the committed state
 * before the block, so every validator reaches the same answer.
 * Args must be strict JSON within the "Tx args (JSON)" limits (types/tx.ts parseTxArgs): a
 * proposer cannot put args into a block that parsers read two ways or that nest deep enough to
 * exhaust a stack on some nodes only.
 */
import {WichainError} from '../errors.js'
import {checkTxArgs, verifyTxSignature, type Tx} from '../types/tx.js'
import {ACCOUNTS_CONTRACT_NAME, readDisabledAccount} from './contracts/accounts.js'
import {stateKey} from './executor.js'
import type {Role} from './genesis.js'

export interface AdmissionRules {
  readonly chainId: string
  readonly txExpiryWindow: number
  roleOf(address: string): Role | undefined
  /** Committed state before the block (synchronous reads): where the `accounts` contract keeps disabled accounts. */
  readState(key: Uint8Array): Uint8Array | undefined
}

/** `height` is the height of the block the tx would go into. */
export function checkTxForBlock(rules: AdmissionRules, tx: Tx, height: number, options: {verifySignature: boolean}): void {
  if (tx.body.chainId !== rules.chainId) {
    throw new WichainError('WRONG_CHAIN', `tx is for chain "${tx.body.chainId}", this is "${rules.chainId}"`)
  }
  if (tx.body.expiry < height) {
    throw new WichainError('TX_EXPIRED', `tx expired at height ${tx.body.expiry}; next block is ${height}`)
  }
  if (tx.body.expiry > height + rules.txExpiryWindow) {
    throw new WichainError('TX_EXPIRED', `tx expiry ${tx.body.expiry} is more than ${rules.txExpiryWindow} blocks ahead of ${height}`)
  }
  if (rules.roleOf(tx.senderAddress) === undefined) {
    throw new WichainError('UNAUTHORIZED', `sender ${tx.senderAddress} is not a registered account of chain "${rules.chainId}"`)
  }
  checkAccountEnabled(rules, tx.senderAddress)
  checkTxArgs(tx)
  if (options.verifySignature && !verifyTxSignature(tx)) {
    throw new WichainError('BAD_SIGNATURE', `tx ${tx.hashHex}: SM2 signature does not verify for its sender`)
  }
}

/** ACCOUNT_DISABLED when an org admin disabled `address` (one point read; nothing found is the usual case). */
export function checkAccountEnabled(rules: Pick<AdmissionRules, 'readState' | 'chainId'>, address: string): void {
  const disabled = readDisabledAccount({get: (key) => rules.readState(stateKey(ACCOUNTS_CONTRACT_NAME, key))}, address)
  if (disabled === undefined) return
  const reason = disabled.reason === '' ? '' : `: ${disabled.reason}`
  throw new WichainError('ACCOUNT_DISABLED', `account ${address} is disabled on chain "${rules.chainId}" since height ${disabled.height}${reason}`, {address, height: disabled.height})
}
