/**
 * Which validators decide which height. A committed config tx at height h changes the set for
 * heights >= h + 1; every engine keeps the few most recent sets so it can check certificates of
 * blocks near its height (block sync) and route votes by height.
 */
import {WichainError} from '../errors.js'
import {VALIDATORS_MAX} from './certificate.js'
import type {NodeId} from './engine.js'

/** Sets kept in memory; older heights are verified by the chain layer, not by the engine. */
const SCHEDULE_ENTRIES_MAX = 16
const NODE_ID_LENGTH_MAX = 200

interface ScheduleEntry {
  readonly fromHeight: number
  readonly validators: readonly NodeId[]
}

export function checkValidatorList(validators: readonly NodeId[]): readonly NodeId[] {
  if (!Array.isArray(validators) || validators.length === 0 || validators.length > VALIDATORS_MAX) {
    throw new WichainError('INVALID_ARGUMENT', `a validator set needs 1..${VALIDATORS_MAX} members`)
  }
  for (const id of validators) {
    if (typeof id !== 'string' || id.length === 0 || id.length > NODE_ID_LENGTH_MAX) {
      throw new WichainError('INVALID_ARGUMENT', 'validator ids must be non-empty strings')
    }
  }
  if (new Set(validators).size !== validators.length) throw new WichainError('INVALID_ARGUMENT', 'duplicate validator')
  return Object.freeze([...validators])
}

export class ValidatorSchedule {
  private entries: ScheduleEntry[]

  constructor(fromHeight: number, validators: readonly NodeId[]) {
    this.entries = [{fromHeight, validators: checkValidatorList(validators)}]
  }

  /** The set for `height` (the oldest known set for heights before the first entry). */
  at(height: number): readonly NodeId[] {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!
      if (entry.fromHeight <= height) return entry.validators
    }
    return this.entries[0]!.validators
  }

  /** Sets `validators` for heights >= `fromHeight`, replacing any later announcement. */
  set(fromHeight: number, validators: readonly NodeId[]): void {
    if (!Number.isSafeInteger(fromHeight) || fromHeight < 1) {
      throw new WichainError('INVALID_ARGUMENT', 'reconfiguration height must be a positive integer')
    }
    const list = checkValidatorList(validators)
    this.entries = this.entries.filter((entry) => entry.fromHeight < fromHeight)
    this.entries.push({fromHeight, validators: list})
    if (this.entries.length > SCHEDULE_ENTRIES_MAX) this.entries.shift()
  }

  /** Every announced change, oldest first (for persistence). */
  list(): readonly ScheduleEntry[] {
    return this.entries
  }

  static fromList(list: readonly ScheduleEntry[]): ValidatorSchedule {
    if (list.length === 0) throw new WichainError('DECODE_ERROR', 'empty validator schedule')
    const schedule = new ValidatorSchedule(list[0]!.fromHeight, list[0]!.validators)
    for (const entry of list.slice(1)) schedule.set(entry.fromHeight, entry.validators)
    return schedule
  }
}
