/** Argument readers shared by the consortium contracts (orgs, accounts, policy). */
import {fromHex, toHex} from '../../bytes.js'
import {isOrgId} from '../../authz/policy.js'
import {addressOf, validatePublicKey} from '../../crypto/sm2.js'
import {WichainError} from '../../errors.js'
import type {CallContext} from '../contracts/contract.js'
import {CONSORTIUM_LIMITS} from './records.js'
import type {ConsortiumView} from './view.js'

const ADDRESS_RE = /^[0-9a-f]{40}$/

export function readOrgId(contract: string, value: unknown, what = 'org'): string {
  if (!isOrgId(value)) throw new WichainError('INVALID_ARGUMENT', `${contract}: ${what} must be an organisation id (lowercase letters, digits, - or _)`)
  return value
}

export function readName(contract: string, value: unknown, what = 'name'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > CONSORTIUM_LIMITS.nameLengthMax || !(value as string & {isWellFormed(): boolean}).isWellFormed()) {
    throw new WichainError('INVALID_ARGUMENT', `${contract}: ${what} must be text of 1..${CONSORTIUM_LIMITS.nameLengthMax} characters`)
  }
  return value
}

export function readAddress(contract: string, value: unknown): string {
  const address = typeof value === 'string' ? value.toLowerCase() : ''
  if (!ADDRESS_RE.test(address)) throw new WichainError('INVALID_ARGUMENT', `${contract}: address must be 40 hex characters (an account address)`)
  return address
}

/** A hex SM2 public key, normalised; with its address. */
export function readPublicKey(contract: string, value: unknown, what = 'publicKey'): {publicKey: string; address: string} {
  if (typeof value !== 'string') throw new WichainError('INVALID_ARGUMENT', `${contract}: ${what} must be a hex SM2 public key`)
  const bytes = fromHex(value, `${contract}: ${what}`)
  validatePublicKey(bytes)
  return {publicKey: toHex(bytes), address: addressOf(bytes)}
}

export function readCount(contract: string, value: unknown, what: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new WichainError('INVALID_ARGUMENT', `${contract}: ${what} must be an integer 0..${max}`)
  }
  return value
}

/** The consortium of a version 2 chain's call (the contracts exist only there). */
export function consortiumOf(context: CallContext): ConsortiumView {
  if (context.consortium === undefined) throw new WichainError('INTERNAL', 'consortium contracts run only on version 2 chains')
  return context.consortium
}
