/**
 * `backup verify` and the first half of restore: open a set of backups (a full one and the
 * incrementals on top of it, in any order), check each manifest's signature and that its signer
 * may create backups of the backed-up chain, every member against its manifest digest,
 * the encryption MAC, the links between them (each incremental names the SM3 of its base file
 * and starts right after its base's head), the node home files, and walk every block through
 * the static check (check.ts) from the genesis the backup carries. Nothing is written outside
 * the private work directory, which the caller removes.
 */
import {readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fromHex, toHex} from '../../core/bytes.js'
import {genesisBlock, parseGenesis, type Genesis} from '../../core/chain/genesis.js'
import {parseKeystore} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {makeWorkDir, openBackup, removeWorkDir, type OpenedBackup} from './archive.js'
import {BlockWalker, type ProgressSink} from './check.js'
import {openMember, unlockManifest, type BackupKeys} from './cipher.js'
import {checkManifestSignature} from './signature.js'
import {backupSignerAllowed} from './signer.js'
import {BACKUP_LIMITS, decodeSegment, HOME_MEMBERS, parseSegmentName, type BackupSummary, type Manifest, type SegmentRecord} from './format.js'

/** Files in a backup set are checked one by one; this many is far beyond any sane chain of incrementals. */
export const BACKUP_SET_MAX = 1_000

export interface LoadedBackup extends OpenedBackup {
  readonly keys: BackupKeys | undefined
  /** Address of the account whose signature over the manifest verified. */
  readonly signer: string
}

export interface HomeFiles {
  readonly config: Uint8Array
  readonly genesis: Uint8Array
  readonly nodeKey: Uint8Array
}

export interface BackupSet {
  /** Oldest first: the full backup (when given), then each incremental on the one before. */
  readonly backups: readonly LoadedBackup[]
  /** Whether the set starts with a full backup, so blocks are checked from the genesis. */
  readonly fromGenesis: boolean
  readonly genesis: Genesis
  /** The node home files of the newest backup (what a restore writes). */
  readonly home: HomeFiles
}

function order(backups: LoadedBackup[]): LoadedBackup[] {
  return backups.sort((a, b) => a.manifest.fromHeight - b.manifest.fromHeight || a.manifest.toHeight - b.manifest.toHeight)
}

/** Links between consecutive backups: same chain, base named by file digest, heights contiguous. */
function checkLinks(backups: readonly LoadedBackup[]): void {
  for (let index = 1; index < backups.length; index++) {
    const base = backups[index - 1]!
    const next = backups[index]!
    const link = next.manifest.base
    const problem =
      link === null ? 'is a full backup, not an incremental on the one before'
      : next.manifest.chainId !== base.manifest.chainId || next.manifest.genesisHash !== base.manifest.genesisHash ? `belongs to another chain than ${base.file}`
      : link.sm3 !== base.sm3 ? `is based on a file with SM3 ${link.sm3}, not on ${base.file} (SM3 ${base.sm3})`
      : link.toHeight !== base.manifest.toHeight || link.headHash !== base.manifest.headHash ? `does not continue from the head of ${base.file}`
      : undefined
    if (problem !== undefined) throw new WichainError('VERIFICATION_FAILED', `backup ${next.file} ${problem}`)
  }
}

/** The plaintext of a member, decrypted when the backup is encrypted. */
export function readMember(backup: LoadedBackup, name: string): Uint8Array {
  const path = backup.members.get(name)
  if (path === undefined) throw new WichainError('CORRUPT_DATA', `backup ${backup.file}: member ${name} is missing`)
  const stored = new Uint8Array(readFileSync(path))
  return backup.keys === undefined ? stored : openMember(backup.keys, stored, `${backup.file}: ${name}`)
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  if (bytes.length > BACKUP_LIMITS.homeFileBytesMax) throw new WichainError('CORRUPT_DATA', `${what} is larger than ${BACKUP_LIMITS.homeFileBytesMax} bytes`)
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown
  } catch {
    throw new WichainError('CORRUPT_DATA', `${what} is not valid JSON`)
  }
}

/** Home files of one backup: the genesis must hash to the manifest's, the config name the chain, the keystore parse. */
function readHome(backup: LoadedBackup): {files: HomeFiles; genesis: Genesis} {
  const where = `backup ${backup.file}`
  const files = {config: readMember(backup, HOME_MEMBERS.config), genesis: readMember(backup, HOME_MEMBERS.genesis), nodeKey: readMember(backup, HOME_MEMBERS.nodeKey)}
  let genesis: Genesis
  try {
    genesis = parseGenesis(parseJson(files.genesis, `${where}: genesis.json`))
  } catch (error) {
    throw new WichainError('CORRUPT_DATA', `${where}: genesis.json is not a valid genesis: ${(error as Error).message}`)
  }
  if (genesisBlock(genesis).hashHex !== backup.manifest.genesisHash || genesis.chainId !== backup.manifest.chainId) {
    throw new WichainError('VERIFICATION_FAILED', `${where}: genesis.json does not hash to the manifest's genesis ${backup.manifest.genesisHash}`)
  }
  const config = parseJson(files.config, `${where}: config.json`) as {version?: unknown; chainId?: unknown}
  if (config?.version !== 1 || config.chainId !== genesis.chainId) throw new WichainError('CORRUPT_DATA', `${where}: config.json is not a node config for chain "${genesis.chainId}"`)
  try {
    parseKeystore(parseJson(files.nodeKey, `${where}: node.key.json`))
  } catch (error) {
    throw new WichainError('CORRUPT_DATA', `${where}: node.key.json is not a keystore: ${(error as Error).message}`)
  }
  return {files, genesis}
}

/** The signature verified; the signer must also be an account the chain allows to create backups. */
function checkSigner(backup: LoadedBackup, genesis: Genesis): void {
  if (backupSignerAllowed(genesis, backup.signer)) return
  throw new WichainError(
    'UNAUTHORIZED',
    `backup ${backup.file} is signed by ${backup.signer}, which is not an account of chain "${genesis.chainId}" allowed to create backups (resource backup.create)`,
    {file: backup.file, signer: backup.signer, resource: 'backup.create'},
  )
}

/**
 * Open and link-check `files` (each extracted under `workDir`). With `requireFull`, the oldest
 * must be a full backup (restore); otherwise a lone run of incrementals is accepted (verify).
 */
export async function openBackupSet(files: readonly string[], options: {workDir: string; password?: string; requireFull: boolean}): Promise<BackupSet> {
  if (files.length === 0) throw new WichainError('USAGE', 'give at least one backup file')
  if (files.length > BACKUP_SET_MAX) throw new WichainError('INVALID_ARGUMENT', `at most ${BACKUP_SET_MAX} backup files`)
  const loaded: LoadedBackup[] = []
  for (const [index, file] of files.entries()) {
    const opened = await openBackup(file, join(options.workDir, `backup-${index}`))
    const signer = checkManifestSignature(opened.manifest, file)
    const keys = opened.manifest.encryption === null ? undefined : unlockManifest(opened.manifest, options.password, file)
    loaded.push({...opened, keys, signer})
  }
  const backups = order(loaded)
  const duplicate = backups.find((backup, index) => index > 0 && backup.sm3 === backups[index - 1]!.sm3)
  if (duplicate !== undefined) throw new WichainError('INVALID_ARGUMENT', `backup ${duplicate.file} is given twice`)
  if (options.requireFull && backups[0]!.manifest.kind !== 'full') {
    throw new WichainError('USAGE', `restore needs a full backup first; ${backups[0]!.file} is incremental (give its base with another --from)`)
  }
  checkLinks(backups)
  const homes = backups.map(readHome)
  backups.forEach((backup, index) => checkSigner(backup, homes[index]!.genesis))
  return {backups, fromGenesis: backups[0]!.manifest.kind === 'full', genesis: homes[0]!.genesis, home: homes.at(-1)!.files}
}

/**
 * Every block record of the set in height order, with its height and where it sits (for errors).
 * Checks only the framing and each segment's block count; walkBackupSet adds the block checks.
 */
export async function forEachRecord(set: BackupSet, visit: (record: SegmentRecord, height: number, where: string) => Promise<void> | void): Promise<void> {
  let height = set.backups[0]!.manifest.fromHeight
  for (const backup of set.backups) {
    for (const member of backup.manifest.members) {
      const range = parseSegmentName(member.name)
      if (range === undefined) continue
      const where = `backup ${backup.file}: ${member.name}`
      const records = decodeSegment(readMember(backup, member.name), where)
      if (records.length !== range.toHeight - range.fromHeight + 1) {
        throw new WichainError('CORRUPT_DATA', `${where}: holds ${records.length} blocks, its name says ${range.toHeight - range.fromHeight + 1}`)
      }
      for (const record of records) await visit(record, height++, where)
    }
  }
}

/** Every block of the set, in height order, through the static check (check.ts); one progress tick per block. */
export async function walkBackupSet(set: BackupSet, options: {verifySignatures: boolean; progress?: ProgressSink}): Promise<BlockWalker> {
  const first = set.backups[0]!.manifest
  const startHash = set.fromGenesis ? genesisBlock(set.genesis).hash : fromHex(first.base!.headHash)
  const walker = new BlockWalker(set.genesis, {
    height: first.fromHeight - 1,
    hash: startHash,
    validators: set.fromGenesis ? BlockWalker.genesisValidators(set.genesis) : undefined,
  }, {verifySignatures: options.verifySignatures})
  // Each backup's blocks must end exactly at its manifest's head: checked as the walk passes it.
  let settled = 0
  const settle = (height: number): void => {
    while (settled < set.backups.length && set.backups[settled]!.manifest.toHeight <= height) checkHead(set.backups[settled++]!, walker)
  }
  settle(first.fromHeight - 1)
  await forEachRecord(set, (record, height, where) => {
    walker.next(record, where)
    options.progress?.tick()
    settle(height)
  })
  settle(Number.MAX_SAFE_INTEGER)
  return walker
}

export function blockCount(set: BackupSet): number {
  return set.backups.reduce((sum, backup) => sum + backup.manifest.blocks, 0)
}

function checkHead(backup: LoadedBackup, walker: BlockWalker): void {
  const {manifest, file} = backup
  const head = walker.head
  if (head.height !== manifest.toHeight || toHex(head.hash) !== manifest.headHash) {
    throw new WichainError('CORRUPT_DATA', `backup ${file}: its blocks end at ${head.height}, not at the manifest's head ${manifest.toHeight} ${manifest.headHash}`)
  }
}

export interface VerifyOptions {
  readonly file: string
  /** The backups `file` builds on (full first or in any order); optional. */
  readonly bases?: readonly string[]
  readonly password?: string
  /** Parent of the private work directory (default: the OS temp directory). */
  readonly tempDir?: string
  readonly progress?: ProgressSink
}

export interface VerifyResult extends BackupSummary {
  readonly valid: true
  /** Checked from the genesis (a full backup leads the set) or from an unchecked base. */
  readonly fromGenesis: boolean
  readonly chain: ReadonlyArray<{file: string; kind: Manifest['kind']; fromHeight: number; toHeight: number; sm3: string}>
  readonly certificates: {readonly againstValidators: number; readonly signatureOnly: number}
}

/** `backup verify`: the whole set checked; throws CORRUPT_DATA / VERIFICATION_FAILED / WRONG_PASSWORD. */
export async function verifyBackups(options: VerifyOptions): Promise<VerifyResult> {
  const workDir = makeWorkDir(options.tempDir ?? tmpdir(), 'verify')
  try {
    const set = await openBackupSet([...(options.bases ?? []), options.file], {workDir, password: options.password, requireFull: false})
    options.progress?.total(blockCount(set))
    const walker = await walkBackupSet(set, {verifySignatures: true, progress: options.progress})
    const target = set.backups.find((backup) => resolve(backup.file) === resolve(options.file))!
    const {manifest} = target
    return {
      file: options.file,
      valid: true,
      kind: manifest.kind,
      chainId: manifest.chainId,
      genesisHash: manifest.genesisHash,
      fromHeight: manifest.fromHeight,
      toHeight: manifest.toHeight,
      headHash: manifest.headHash,
      blocks: manifest.blocks,
      bytes: target.bytes,
      sm3: target.sm3,
      encrypted: manifest.encryption !== null,
      signer: target.signer,
      createdAt: manifest.createdAt,
      fromGenesis: set.fromGenesis,
      chain: set.backups.map((backup) => ({file: backup.file, kind: backup.manifest.kind, fromHeight: backup.manifest.fromHeight, toHeight: backup.manifest.toHeight, sm3: backup.sm3})),
      certificates: {againstValidators: walker.certificatesAgainstValidators, signatureOnly: walker.certificatesSignatureOnly},
    }
  } finally {
    removeWorkDir(workDir)
  }
}
