/**
 * The durable part of a replica: height, view, the messages it signed at that height and its
 * highest prepared block. Restoring them means a restarted replica re-sends its old votes instead
 * of signing new, different ones, and still carries its prepared block into view changes.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readBytes, readRecord, readUint} from '../../codec/fields.js'
import {WichainError} from '../../errors.js'
import {decodeMessage, encodeMessage, proofFromDocument, proofToDocument, type Signed} from './messages.js'
import type {OwnMessages, PbftState} from './state.js'

const FORMAT = 1
const OWN_MESSAGES_MAX = 5

export function encodePbftState(state: PbftState): Uint8Array {
  const own = Object.values(state.own).filter((signed): signed is Signed => signed !== undefined)
  const document: Record<string, unknown> = {
    f: FORMAT,
    h: state.height,
    v: state.view,
    a: state.viewActive ? 1 : 0,
    o: own.map(encodeMessage),
  }
  if (state.prepared !== undefined) document.p = {pf: proofToDocument(state.prepared.proof), pl: state.prepared.payload}
  return encodeCanonical(document)
}

/**
 * Loads persisted state into a fresh `state` at `lastCommittedHeight + 1`. State of an older
 * height is ignored (that height is committed); state of a later height means the chain lost
 * blocks the engine had already built on.
 */
export function restorePbftState(state: PbftState, bytes: Uint8Array, lastCommittedHeight: number): void {
  const value = decodeCanonical(bytes, 'pbft state')
  const keys = typeof value === 'object' && value !== null && 'p' in value ? ['f', 'h', 'v', 'a', 'o', 'p'] : ['f', 'h', 'v', 'a', 'o']
  const fields = readRecord(value, 'pbft state', keys)
  if (readUint(fields.f, 'pbft state.f') !== FORMAT) throw new WichainError('DECODE_ERROR', 'pbft state: unknown format')
  const height = readUint(fields.h, 'pbft state.h')
  if (height <= lastCommittedHeight) return
  if (height > lastCommittedHeight + 1) {
    throw new WichainError('CORRUPT_DATA', `consensus state is at height ${height} but the chain ends at ${lastCommittedHeight}`)
  }
  state.view = readUint(fields.v, 'pbft state.v')
  state.viewActive = readUint(fields.a, 'pbft state.a') === 1
  state.own = ownFromList(readArray(fields.o, 'pbft state.o', OWN_MESSAGES_MAX).map((entry) => decodeMessage(readBytes(entry, 'own message'))))
  if (fields.p !== undefined) {
    const prepared = readRecord(fields.p, 'pbft state.p', ['pf', 'pl'])
    state.prepared = {proof: proofFromDocument(prepared.pf, 'pbft state.p'), payload: readBytes(prepared.pl, 'pbft state.p.pl')}
  }
}

function ownFromList(list: readonly Signed[]): OwnMessages {
  const own: OwnMessages = {}
  for (const signed of list) {
    switch (signed.body.type) {
      case 'pre-prepare':
        own.prePrepare = signed as OwnMessages['prePrepare']
        break
      case 'new-view':
        own.newView = signed as OwnMessages['newView']
        break
      case 'prepare':
        own.prepare = signed as OwnMessages['prepare']
        break
      case 'commit':
        own.commit = signed as OwnMessages['commit']
        break
      case 'view-change':
        own.viewChange = signed as OwnMessages['viewChange']
        break
      default:
        throw new WichainError('DECODE_ERROR', `pbft state: unexpected own ${signed.body.type} message`)
    }
  }
  return own
}
