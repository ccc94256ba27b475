/**
 * The backup file format (version 2): a gzip'd tar (node-tar, `portable`, fixed mtime, members in
 * a fixed order) whose first member is `manifest.json`.
 *
 *   manifest.json                       what the backup is, the SM3 of every other member, and
 *                                       the SM2 signature of the account that made it
 *   home/config.json, home/genesis.json, home/node.key.json   the node's files, as stored
 *   blocks/<from>-<to>.bin              committed blocks with their certificates, in height order
 *
 * A block segment is a run of records `u32be length, encoded block, u32be length, encoded
 * certificate`. A full backup holds blocks 1..head (block 0 is rebuilt from the genesis); an
 * incremental holds the blocks after its base's head and names the base by the SM3 of its file.
 * When encrypted, every member but the manifest is stored as `iv || SM4-CBC(gzip(plaintext))`
 * and the manifest carries the KDF parameters and an HMAC-SM3 over itself (see cipher.ts).
 * The manifest is signed (signature.ts) over all of it, the creation time and the signer's key:
 * version 1 manifests were not, so an edited member with its digest recomputed went unnoticed;
 * they are refused. The same blocks give the same members; two backups of them differ only in
 * the manifest's creation time and signature.
 * This module owns the names, the manifest schema and the segment codec; nothing here does I/O.
 */
import {WichainError} from '../../core/errors.js'
import {CONSENSUS_KINDS, type ConsensusKind} from '../../core/types/certificate.js'
import {CHAIN_ID_RE} from '../../core/types/tx.js'
import {BLOCK_LIMITS} from '../../core/types/block.js'

export const BACKUP_FORMAT = 'wichain-backup'
export const BACKUP_VERSION = 2
/** The unsigned format of earlier releases: refused with the upgrade step. */
export const BACKUP_VERSION_UNSIGNED = 1

export const BACKUP_LIMITS = Object.freeze({
  manifestBytesMax: 16 * 1024 * 1024,
  membersMax: 100_000,
  /** A segment closes once it passes this size (or block count); one block is at most 8 MiB. */
  segmentBytesTarget: 8 * 1024 * 1024,
  segmentBlocksMax: 1_000,
  memberBytesMax: 64 * 1024 * 1024,
  homeFileBytesMax: 1024 * 1024,
  certificateBytesMax: 64 * 1024,
})

export const MANIFEST_NAME = 'manifest.json'
export const HOME_MEMBERS = Object.freeze({config: 'home/config.json', genesis: 'home/genesis.json', nodeKey: 'home/node.key.json'})
const SEGMENT_RE = /^blocks\/(\d{12})-(\d{12})\.bin$/
const HEX32_RE = /^[0-9a-f]{64}$/
const PUBLIC_KEY_RE = /^04[0-9a-f]{128}$/
const SIGNATURE_RE = /^[0-9a-f]{128}$/

export type BackupKind = 'full' | 'incremental'

export interface MemberEntry {
  readonly name: string
  /** Size and SM3 of the member as stored in the archive (ciphertext when encrypted). */
  readonly bytes: number
  readonly sm3: string
}

export interface BaseLink {
  /** SM3 of the base backup file. */
  readonly sm3: string
  readonly toHeight: number
  readonly headHash: string
}

export interface Encryption {
  readonly cipher: 'sm4-cbc'
  readonly compression: 'gzip'
  readonly kdf: 'pbkdf2-sm3'
  readonly salt: string
  readonly iterations: number
  /** HMAC-SM3 over the canonical manifest with `mac` empty. */
  readonly mac: string
}

export interface Manifest {
  readonly format: typeof BACKUP_FORMAT
  readonly version: typeof BACKUP_VERSION
  readonly kind: BackupKind
  readonly chainId: string
  readonly genesisHash: string
  readonly consensus: ConsensusKind
  readonly fromHeight: number
  readonly toHeight: number
  readonly headHash: string
  readonly blocks: number
  readonly base: BaseLink | null
  /** When the backup was made (ms since the epoch). */
  readonly createdAt: number
  /** Hex of the 65-byte SM2 public key of the account that made and signed the backup. */
  readonly signer: string
  readonly encryption: Encryption | null
  readonly members: readonly MemberEntry[]
  /** SM2 signature (hex r || s) by `signer` over the canonical manifest with this field empty. */
  readonly signature: string
}

export function segmentName(fromHeight: number, toHeight: number): string {
  return `blocks/${String(fromHeight).padStart(12, '0')}-${String(toHeight).padStart(12, '0')}.bin`
}

/** The height range a segment member name declares, or undefined for any other name. */
export function parseSegmentName(name: string): {fromHeight: number; toHeight: number} | undefined {
  const match = SEGMENT_RE.exec(name)
  return match === null ? undefined : {fromHeight: Number(match[1]), toHeight: Number(match[2])}
}

export function isMemberName(name: string): boolean {
  return (Object.values(HOME_MEMBERS) as string[]).includes(name) || parseSegmentName(name) !== undefined
}

export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}

function fail(message: string): never {
  throw new WichainError('CORRUPT_DATA', `backup manifest: ${message}`)
}

function record(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} is not an object`)
  const fields = value as Record<string, unknown>
  const extra = Object.keys(fields).find((key) => !keys.includes(key))
  if (extra !== undefined) fail(`${what} has an unexpected field "${extra}"`)
  const missing = keys.find((key) => !Object.hasOwn(fields, key))
  if (missing !== undefined) fail(`${what} lacks "${missing}"`)
  return fields
}

function uint(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${what} is not an unsigned integer`)
  return value
}

function hash(value: unknown, what: string): string {
  if (typeof value !== 'string' || !HEX32_RE.test(value)) fail(`${what} is not a 32-byte lowercase hex hash`)
  return value
}

function oneOf<T>(value: unknown, what: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(`${what} must be one of ${allowed.join(', ')}`)
  return value as T
}

function parseBase(value: unknown): BaseLink | null {
  if (value === null) return null
  const fields = record(value, 'base', ['sm3', 'toHeight', 'headHash'])
  return {sm3: hash(fields.sm3, 'base.sm3'), toHeight: uint(fields.toHeight, 'base.toHeight'), headHash: hash(fields.headHash, 'base.headHash')}
}

function parseEncryption(value: unknown): Encryption | null {
  if (value === null) return null
  const fields = record(value, 'encryption', ['cipher', 'compression', 'kdf', 'salt', 'iterations', 'mac'])
  const salt = fields.salt
  if (typeof salt !== 'string' || !/^[0-9a-f]{32,128}$/.test(salt)) fail('encryption.salt is not 16..64 bytes of hex')
  const iterations = uint(fields.iterations, 'encryption.iterations')
  if (iterations < 1) fail('encryption.iterations must be positive')
  return {
    cipher: oneOf(fields.cipher, 'encryption.cipher', ['sm4-cbc'] as const),
    compression: oneOf(fields.compression, 'encryption.compression', ['gzip'] as const),
    kdf: oneOf(fields.kdf, 'encryption.kdf', ['pbkdf2-sm3'] as const),
    salt,
    iterations,
    mac: hash(fields.mac, 'encryption.mac'),
  }
}

function parseMembers(value: unknown): MemberEntry[] {
  if (!Array.isArray(value) || value.length > BACKUP_LIMITS.membersMax) fail(`members must be an array of at most ${BACKUP_LIMITS.membersMax}`)
  const seen = new Set<string>()
  return value.map((entry, index) => {
    const fields = record(entry, `members[${index}]`, ['name', 'bytes', 'sm3'])
    const name = fields.name
    if (typeof name !== 'string' || !isMemberName(name)) fail(`members[${index}] has an unexpected name`)
    if (seen.has(name)) fail(`member ${name} is listed twice`)
    seen.add(name)
    const bytes = uint(fields.bytes, `members[${index}].bytes`)
    if (bytes > BACKUP_LIMITS.memberBytesMax) fail(`member ${name} exceeds ${BACKUP_LIMITS.memberBytesMax} bytes`)
    return {name, bytes, sm3: hash(fields.sm3, `members[${index}].sm3`)}
  })
}

/** Member order: the home files in HOME_MEMBERS order, then segments covering from..to exactly. */
function checkMemberLayout(manifest: Manifest): void {
  const homeNames = Object.values(HOME_MEMBERS)
  manifest.members.slice(0, homeNames.length).forEach((member, index) => {
    if (member.name !== homeNames[index]) fail(`member ${index} must be ${homeNames[index]}`)
  })
  if (manifest.members.length < homeNames.length) fail('the node home files are missing')
  let next = manifest.fromHeight
  for (const member of manifest.members.slice(homeNames.length)) {
    const range = parseSegmentName(member.name)
    if (range === undefined || range.fromHeight !== next || range.toHeight < range.fromHeight) fail(`segment ${member.name} is out of order`)
    next = range.toHeight + 1
  }
  if (next !== manifest.toHeight + 1) fail(`segments end at ${next - 1}, the manifest at ${manifest.toHeight}`)
}

function matching(value: unknown, what: string, pattern: RegExp, description: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(`${what} is not ${description}`)
  return value
}

/** Format and version first: an unsigned (version 1) backup is refused with the upgrade step, not as damage. */
function checkVersion(document: unknown): void {
  const fields = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>
  if (fields.format !== BACKUP_FORMAT) fail(`not a ${BACKUP_FORMAT} file`)
  if (fields.version === BACKUP_VERSION_UNSIGNED) {
    throw new WichainError(
      'VERIFICATION_FAILED',
      `backup format version ${BACKUP_VERSION_UNSIGNED} (made by an earlier wichain) has an unsigned manifest, so an edited member cannot be told ` +
        `from the original; it is refused. Make a new backup with this version: wichain backup create --home H --out F --key K`,
      {version: BACKUP_VERSION_UNSIGNED},
    )
  }
  if (fields.version !== BACKUP_VERSION) fail(`unsupported format version ${String(fields.version)} (this build reads version ${BACKUP_VERSION})`)
}

export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > BACKUP_LIMITS.manifestBytesMax) fail(`larger than ${BACKUP_LIMITS.manifestBytesMax} bytes`)
  let document: unknown
  try {
    document = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    fail('not valid JSON')
  }
  checkVersion(document)
  const fields = record(document, 'manifest', [
    'format', 'version', 'kind', 'chainId', 'genesisHash', 'consensus', 'fromHeight', 'toHeight', 'headHash', 'blocks', 'base', 'createdAt', 'signer',
    'encryption', 'members', 'signature',
  ])
  const chainId = fields.chainId
  if (typeof chainId !== 'string' || !CHAIN_ID_RE.test(chainId) || chainId.length > 64) fail('chainId is malformed')
  const manifest: Manifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    kind: oneOf(fields.kind, 'kind', ['full', 'incremental'] as const),
    chainId,
    genesisHash: hash(fields.genesisHash, 'genesisHash'),
    consensus: oneOf(fields.consensus, 'consensus', CONSENSUS_KINDS),
    fromHeight: uint(fields.fromHeight, 'fromHeight'),
    toHeight: uint(fields.toHeight, 'toHeight'),
    headHash: hash(fields.headHash, 'headHash'),
    blocks: uint(fields.blocks, 'blocks'),
    base: parseBase(fields.base),
    createdAt: uint(fields.createdAt, 'createdAt'),
    signer: matching(fields.signer, 'signer', PUBLIC_KEY_RE, 'a 65-byte uncompressed SM2 public key in hex'),
    encryption: parseEncryption(fields.encryption),
    members: parseMembers(fields.members),
    signature: matching(fields.signature, 'signature', SIGNATURE_RE, 'a 64-byte SM2 signature in hex'),
  }
  if (manifest.fromHeight < 1 || manifest.toHeight + 1 < manifest.fromHeight) fail('height range is malformed')
  if (manifest.blocks !== manifest.toHeight - manifest.fromHeight + 1) fail('block count does not match the height range')
  if ((manifest.kind === 'full') !== (manifest.base === null)) fail('a full backup has no base; an incremental has one')
  if (manifest.kind === 'full' && manifest.fromHeight !== 1) fail('a full backup starts at height 1')
  if (manifest.base !== null && manifest.base.toHeight + 1 !== manifest.fromHeight) fail('an incremental starts right after its base')
  checkMemberLayout(manifest)
  return manifest
}

/** What `backup create` and `backup verify` both report about one backup file. */
export interface BackupSummary {
  readonly file: string
  readonly kind: Manifest['kind']
  readonly chainId: string
  readonly genesisHash: string
  readonly fromHeight: number
  readonly toHeight: number
  readonly headHash: string
  readonly blocks: number
  readonly bytes: number
  /** SM3 of the backup file (what an incremental on it names as its base). */
  readonly sm3: string
  readonly encrypted: boolean
  /** Address of the account that signed the manifest, and when it made the backup (ms). */
  readonly signer: string
  readonly createdAt: number
}

export interface SegmentRecord {
  readonly payload: Uint8Array
  readonly certificate: Uint8Array
}

function lengthPrefix(length: number): Uint8Array {
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(length)
  return prefix
}

/** The bytes of one record, to be appended to a segment. */
export function encodeSegmentRecord(record: SegmentRecord): Uint8Array[] {
  return [lengthPrefix(record.payload.length), record.payload, lengthPrefix(record.certificate.length), record.certificate]
}

/** Split a segment into its records; CORRUPT_DATA on any framing error. Blocks are decoded by the caller. */
export function decodeSegment(bytes: Uint8Array, name: string): SegmentRecord[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: SegmentRecord[] = []
  let offset = 0
  const take = (what: string, lengthMax: number): Uint8Array => {
    if (offset + 4 > view.length) throw new WichainError('CORRUPT_DATA', `${name}: truncated before a ${what} length`)
    const length = view.readUInt32BE(offset)
    offset += 4
    if (length === 0 || length > lengthMax || offset + length > view.length) {
      throw new WichainError('CORRUPT_DATA', `${name}: ${what} length ${length} is out of bounds`)
    }
    const part = bytes.subarray(offset, offset + length)
    offset += length
    return part
  }
  while (offset < view.length) {
    if (records.length >= BACKUP_LIMITS.segmentBlocksMax) throw new WichainError('CORRUPT_DATA', `${name}: more than ${BACKUP_LIMITS.segmentBlocksMax} blocks`)
    records.push({payload: take('block', BLOCK_LIMITS.bytesMax), certificate: take('certificate', BACKUP_LIMITS.certificateBytesMax)})
  }
  return records
}
