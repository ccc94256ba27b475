/**
 * Runtime figures of each user contract (spec §8.4.3 monitoring): calls, failures, gas, the last
 * error and the last height. They live in the `contracts` state next to the record and are
 * updated by the executor after every call tx, successful or not, so every node holds the same
 * figures, they survive restarts, and `contracts.status` / `contracts.list` return them.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readRecord, readString, readUint} from '../../codec/fields.js'
import type {ContractState} from './contract.js'

export interface ContractFigures {
  readonly calls: number
  readonly failures: number
  /** Sum of gasUsed over all calls (failed ones included: their gas was burnt too). */
  readonly gasUsed: number
  readonly lastHeight: number
  readonly lastError: {readonly code: string; readonly message: string; readonly height: number} | null
}

export interface CallOutcome {
  readonly ok: boolean
  readonly gasUsed: number
  readonly error: {readonly code: string; readonly message: string} | null
}

const MESSAGE_LENGTH_MAX = 256
const KEYS = ['calls', 'failures', 'gasUsed', 'lastHeight', 'lastError'] as const

export const EMPTY_FIGURES: ContractFigures = Object.freeze({calls: 0, failures: 0, gasUsed: 0, lastHeight: 0, lastError: null})

const figuresKey = (name: string): string => `figures/${name}`

export function loadFigures(state: ContractState, name: string): ContractFigures {
  const bytes = state.get(figuresKey(name))
  if (bytes === undefined) return EMPTY_FIGURES
  const what = `contract figures ${name}`
  const fields = readRecord(decodeCanonical(bytes, what), what, KEYS)
  let lastError: ContractFigures['lastError'] = null
  if (fields.lastError !== null) {
    const error = readRecord(fields.lastError, `${what}.lastError`, ['code', 'message', 'height'])
    lastError = Object.freeze({
      code: readString(error.code, `${what}.lastError.code`, 64),
      message: readString(error.message, `${what}.lastError.message`, MESSAGE_LENGTH_MAX),
      height: readUint(error.height, `${what}.lastError.height`),
    })
  }
  return Object.freeze({
    calls: readUint(fields.calls, `${what}.calls`),
    failures: readUint(fields.failures, `${what}.failures`),
    gasUsed: readUint(fields.gasUsed, `${what}.gasUsed`),
    lastHeight: readUint(fields.lastHeight, `${what}.lastHeight`),
    lastError,
  })
}

/** At most `lengthMax` UTF-16 units, cut between code points (canonical encoding refuses lone surrogates). */
function cutText(text: string, lengthMax: number): string {
  let cut = ''
  for (const character of text) {
    if (cut.length + character.length > lengthMax) break
    cut += character
  }
  return cut
}

/** Count one call at `height`. Counters saturate at MAX_SAFE_INTEGER rather than lose integrity. */
export function recordCall(state: ContractState, name: string, height: number, outcome: CallOutcome): void {
  const before = loadFigures(state, name)
  const add = (a: number, b: number): number => Math.min(Number.MAX_SAFE_INTEGER, a + b)
  const lastError = outcome.error === null ? before.lastError : {
    code: outcome.error.code,
    message: cutText(outcome.error.message, MESSAGE_LENGTH_MAX),
    height,
  }
  const figures: ContractFigures = {
    calls: add(before.calls, 1),
    failures: add(before.failures, outcome.ok ? 0 : 1),
    gasUsed: add(before.gasUsed, outcome.gasUsed),
    lastHeight: height,
    lastError,
  }
  state.set(figuresKey(name), encodeCanonical(figures))
}
