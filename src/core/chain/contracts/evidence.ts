/**
 * `evidence` (存证): write-once records binding a business key to a document hash. A second
 * `put` of the same key is refused, so the first tx hash stays the certificate for that key.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readRecord, readString, readUint} from '../../codec/fields.js'
import {WichainError} from '../../errors.js'
import {argsObject, type Args} from './args.js'
import type {ContractState, SystemContract} from './contract.js'

export const EVIDENCE_LIMITS = Object.freeze({keyLengthMax: 256, metaBytesMax: 4096})
const HASH_RE = /^[0-9a-f]{32,128}$/

interface EvidenceRecord {
  readonly hash: string
  readonly meta: string
  readonly owner: string
  readonly txHash: string
  readonly height: number
  readonly timestamp: number
}

function readKey(args: Args): string {
  const key = args.key
  if (typeof key !== 'string' || key.length === 0 || key.length > EVIDENCE_LIMITS.keyLengthMax) {
    throw new WichainError('INVALID_ARGUMENT', `evidence: key must be a string of 1..${EVIDENCE_LIMITS.keyLengthMax} characters`)
  }
  // Lone surrogates would collapse to U+FFFD in the state key, letting two keys share a record.
  if (!(key as string & {isWellFormed(): boolean}).isWellFormed()) {
    throw new WichainError('INVALID_ARGUMENT', 'evidence: key is not well-formed Unicode')
  }
  return key
}

function load(state: ContractState, key: string): EvidenceRecord | undefined {
  const bytes = state.get(key)
  if (bytes === undefined) return undefined
  const fields = readRecord(decodeCanonical(bytes, 'evidence record'), 'evidence record', ['hash', 'meta', 'owner', 'txHash', 'height', 'timestamp'])
  return {
    hash: readString(fields.hash, 'hash', 128),
    meta: readString(fields.meta, 'meta', EVIDENCE_LIMITS.metaBytesMax),
    owner: readString(fields.owner, 'owner', 40),
    txHash: readString(fields.txHash, 'txHash', 64),
    height: readUint(fields.height, 'height'),
    timestamp: readUint(fields.timestamp, 'timestamp'),
  }
}

export const evidenceContract: SystemContract = {
  name: 'evidence',
  description: 'write-once evidence records (存证): key → document hash',
  methods: {
    put: {
      readOnly: false,
      roles: ['orgadmin', 'user', 'devops'],
      run(state, rawArgs, context) {
        const args = argsObject('evidence', rawArgs)
        const key = readKey(args)
        const hash = typeof args.hash === 'string' ? args.hash.toLowerCase() : ''
        if (!HASH_RE.test(hash) || hash.length % 2 !== 0) {
          throw new WichainError('INVALID_ARGUMENT', 'evidence: hash must be 16..64 bytes of hex (e.g. an SM3 digest)')
        }
        const meta = args.meta === undefined ? 'null' : JSON.stringify(args.meta)
        if (Buffer.byteLength(meta) > EVIDENCE_LIMITS.metaBytesMax) {
          throw new WichainError('PAYLOAD_TOO_LARGE', `evidence: meta exceeds ${EVIDENCE_LIMITS.metaBytesMax} bytes`)
        }
        const existing = load(state, key)
        if (existing !== undefined) {
          throw new WichainError('ALREADY_EXISTS', `evidence: key "${key}" was already recorded by tx ${existing.txHash}`)
        }
        const record: EvidenceRecord = {hash, meta, owner: context.sender.address, txHash: context.txHash, height: context.height, timestamp: context.blockTime}
        state.set(key, encodeCanonical(record))
        return {key, hash}
      },
    },
    get: {
      readOnly: true,
      run(state, rawArgs) {
        const key = readKey(argsObject('evidence', rawArgs))
        const record = load(state, key)
        if (record === undefined) throw new WichainError('NOT_FOUND', `evidence: no record for key "${key}"`)
        return {key, ...record, meta: JSON.parse(record.meta) as unknown}
      },
    },
  },
}
