/**
 * The simulated application: a block names its height, its parent's hash, its proposer and a
 * salt (so a Byzantine proposer can make two different valid blocks), and may carry a new
 * validator set (the simulated config tx). A block is valid only on top of the node's own tip,
 * as in the real chain, which catches an engine validating before the parent is applied.
 */
import {bytesEqual} from '../../bytes.js'
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readBytes, readRecord, readString, readUint} from '../../codec/fields.js'
import {sm3} from '../../crypto/sm3.js'
import type {ConsensusApplication, NodeId} from '../engine.js'

export interface SimBlock {
  readonly height: number
  readonly parent: Uint8Array
  readonly proposer: NodeId
  readonly salt: number
  readonly validators: readonly NodeId[] | undefined
}

export function encodeSimBlock(block: SimBlock): Uint8Array {
  const document: Record<string, unknown> = {h: block.height, pa: block.parent, pr: block.proposer, s: block.salt}
  if (block.validators !== undefined) document.v = block.validators
  return encodeCanonical(document)
}

export function decodeSimBlock(payload: Uint8Array): SimBlock | undefined {
  try {
    const value = decodeCanonical(payload, 'sim block')
    const keys = typeof value === 'object' && value !== null && 'v' in value ? ['h', 'pa', 'pr', 's', 'v'] : ['h', 'pa', 'pr', 's']
    const fields = readRecord(value, 'sim block', keys)
    return {
      height: readUint(fields.h, 'h'),
      parent: readBytes(fields.pa, 'pa', {exact: 32}),
      proposer: readString(fields.pr, 'pr', 200),
      salt: readUint(fields.s, 's'),
      validators: fields.v === undefined ? undefined : readArray(fields.v, 'v', 64).map((id) => readString(id, 'v', 200)),
    }
  } catch {
    return undefined
  }
}

export const GENESIS_HASH = sm3(new TextEncoder().encode('wichain-sim-genesis'))

export function simApplication(tipHash: () => Uint8Array): ConsensusApplication {
  return {
    validate(height, payload) {
      const block = decodeSimBlock(payload)
      return block !== undefined && block.height === height && bytesEqual(block.parent, tipHash())
    },
    digest: (payload) => sm3(payload),
  }
}
