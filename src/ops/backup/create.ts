/**
 * `backup create`: a consistent backup of one node home, full or incremental on a base backup,
 * while the node runs (blocks over its RPC) or not (blocks from its ledger). The head is pinned
 * first; everything up to it is written. The node's files are taken as stored (the keystore
 * stays as encrypted as it was). Blocks pass the static link check on the way in (no signature
 * checks: that is `backup verify`), so a broken source never yields a backup that looks whole.
 * The manifest is signed by the account making the backup (signature.ts), which must be one the
 * chain allows to create backups (signer.ts): checked here first, and again by verify and restore.
 */
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fromHex, toHex} from '../../core/bytes.js'
import {genesisBlock} from '../../core/chain/genesis.js'
import {parseKeystore, type Signer} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {nullLogger, type Logger} from '../../core/log.js'
import {homePath, readGenesisFile, readNodeConfig} from '../../core/node/home.js'
import {makeWorkDir, memberDigest, openBackup, removeWorkDir, writeArchive} from './archive.js'
import {BlockWalker, type ProgressSink} from './check.js'
import {encryptionFor, newBackupKeys, sealMember, type BackupKeys} from './cipher.js'
import {
  BACKUP_FORMAT, BACKUP_LIMITS, BACKUP_VERSION, encodeSegmentRecord, HOME_MEMBERS, MANIFEST_NAME, manifestText, segmentName,
  type BackupSummary, type BaseLink, type Manifest, type MemberEntry,
} from './format.js'
import {signManifest} from './signature.js'
import {backupSignerAllowed} from './signer.js'
import {openBlockSource, type BlockSource} from './source.js'

export interface CreateBackupOptions {
  readonly home: string
  readonly out: string
  /** The account making the backup: it signs the manifest and must be allowed to (signer.ts). */
  readonly signer: Signer
  /** The creation time recorded in the manifest (ms; default: now). */
  readonly clock?: () => number
  /** A previous backup of this node: write only the blocks after its head. */
  readonly base?: string
  /** Encrypt with SM4 under a key from this password. */
  readonly password?: string
  /** PBKDF2 iterations (tests lower it). */
  readonly kdfIterations?: number
  /** Replace an existing `out`. */
  readonly force?: boolean
  /** Blocks per segment at most (default BACKUP_LIMITS.segmentBlocksMax; tests lower it). */
  readonly segmentBlocksMax?: number
  readonly logger?: Logger
  readonly progress?: ProgressSink
}

export interface CreateBackupResult extends BackupSummary {
  readonly base: string | null
  /** Where the blocks came from: the running node's RPC or its ledger. */
  readonly via: BlockSource['via']
}

function readHomeFile(home: string, file: 'config' | 'genesis' | 'nodeKey'): Uint8Array {
  const path = homePath(home, file)
  if (!existsSync(path)) throw new WichainError('FILE_NOT_FOUND', `${path} not found: is ${home} a node home?`)
  if (statSync(path).size > BACKUP_LIMITS.homeFileBytesMax) throw new WichainError('PAYLOAD_TOO_LARGE', `${path} exceeds ${BACKUP_LIMITS.homeFileBytesMax} bytes`)
  return new Uint8Array(readFileSync(path))
}

/** Writes members into the staging directory, encrypted when keys are given, and lists them. */
class Staging {
  readonly members: MemberEntry[] = []

  constructor(
    readonly directory: string,
    private readonly keys: BackupKeys | undefined,
  ) {
    mkdirSync(join(directory, 'home'))
    mkdirSync(join(directory, 'blocks'))
  }

  add(name: string, plaintext: Uint8Array): void {
    const stored = this.keys === undefined ? plaintext : sealMember(this.keys, plaintext)
    writeFileSync(join(this.directory, name), stored, {mode: 0o600})
    this.members.push({name, bytes: stored.length, sm3: memberDigest(stored)})
  }
}

async function baseLink(path: string, source: BlockSource): Promise<BaseLink> {
  const {manifest, sm3} = await openBackup(path)
  if (manifest.chainId !== source.chainId || manifest.genesisHash !== source.genesisHash) {
    throw new WichainError('VERIFICATION_FAILED', `base ${path} is a backup of another chain ("${manifest.chainId}")`)
  }
  const hash = await source.hashAt(manifest.toHeight)
  if (hash !== manifest.headHash) {
    const where = hash === undefined ? `ends at ${manifest.toHeight}, above this node's head ${source.head.height}` : `holds another block at height ${manifest.toHeight}`
    throw new WichainError('VERIFICATION_FAILED', `base ${path} is not a prefix of this node's chain: it ${where}`)
  }
  return {sm3, toHeight: manifest.toHeight, headHash: manifest.headHash}
}

/** Copy blocks fromHeight..head into segments, checking each links to the one before. */
async function writeBlocks(source: BlockSource, staging: Staging, walker: BlockWalker, fromHeight: number, options: CreateBackupOptions): Promise<number | undefined> {
  const {progress} = options
  const segmentBlocksMax = Math.min(options.segmentBlocksMax ?? BACKUP_LIMITS.segmentBlocksMax, BACKUP_LIMITS.segmentBlocksMax)
  progress?.total(Math.max(0, source.head.height - fromHeight + 1))
  let parts: Uint8Array[] = []
  let partBytes = 0
  let segmentFrom = fromHeight
  let lastTimestamp: number | undefined
  const flush = (toHeight: number): void => {
    staging.add(segmentName(segmentFrom, toHeight), new Uint8Array(Buffer.concat(parts)))
    parts = []
    partBytes = 0
    segmentFrom = toHeight + 1
  }
  for await (const block of source.blocks(fromHeight, source.head.height)) {
    const checked = walker.next(block, `node ${source.via}`, block.decoded)
    lastTimestamp = checked.block.header.timestamp
    for (const part of encodeSegmentRecord(block)) {
      parts.push(part)
      partBytes += part.length
    }
    if (partBytes >= BACKUP_LIMITS.segmentBytesTarget || block.height - segmentFrom + 1 >= segmentBlocksMax) flush(block.height)
    progress?.tick()
  }
  if (parts.length > 0) flush(walker.head.height)
  const head = walker.head
  if (head.height !== source.head.height || toHex(head.hash) !== source.head.hash) {
    throw new WichainError('OPERATION_FAILED', `blocks read end at ${head.height}, not at the pinned head ${source.head.height}`)
  }
  return lastTimestamp
}

export async function createBackup(options: CreateBackupOptions): Promise<CreateBackupResult> {
  const home = resolve(options.home)
  const out = resolve(options.out)
  if (existsSync(out) && options.force !== true) throw new WichainError('ALREADY_EXISTS', `${out} exists; pass --force to replace it`)
  const config = readNodeConfig(home)
  const genesis = readGenesisFile(homePath(home, 'genesis'))
  const files = {config: readHomeFile(home, 'config'), genesis: readHomeFile(home, 'genesis'), nodeKey: readHomeFile(home, 'nodeKey')}
  const nodeId = parseKeystore(JSON.parse(Buffer.from(files.nodeKey).toString('utf8'))).publicKey
  const genesisHash = genesisBlock(genesis).hashHex
  if (genesis.chainId !== config.chainId) throw new WichainError('INVALID_ARGUMENT', `config chainId "${config.chainId}" differs from genesis "${genesis.chainId}"`)
  if (!backupSignerAllowed(genesis, options.signer.address)) {
    throw new WichainError('UNAUTHORIZED', `account ${options.signer.address} may not create backups of chain "${genesis.chainId}" (resource backup.create); sign with an account that holds it`, {
      address: options.signer.address,
      resource: 'backup.create',
    })
  }
  const source = await openBlockSource(home, config.chainId, nodeId, options.logger ?? nullLogger, options.signer)
  let staging: Staging | undefined
  try {
    if (source.genesisHash !== genesisHash) throw new WichainError('CORRUPT_DATA', `the node's chain does not start from ${home}/genesis.json`)
    const base = options.base === undefined ? null : await baseLink(resolve(options.base), source)
    const fromHeight = base === null ? 1 : base.toHeight + 1
    const keys = options.password === undefined ? undefined : newBackupKeys(options.password, options.kdfIterations)
    staging = new Staging(makeWorkDir(dirname(out), 'backup'), keys)
    staging.add(HOME_MEMBERS.config, files.config)
    staging.add(HOME_MEMBERS.genesis, files.genesis)
    staging.add(HOME_MEMBERS.nodeKey, files.nodeKey)
    const walker = new BlockWalker(genesis, {height: fromHeight - 1, hash: fromHex(base?.headHash ?? genesisHash), validators: undefined}, {verifySignatures: false})
    const lastTimestamp = await writeBlocks(source, staging, walker, fromHeight, options)
    const unsealed: Omit<Manifest, 'encryption' | 'signature'> = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      kind: base === null ? 'full' : 'incremental',
      chainId: config.chainId,
      genesisHash,
      consensus: genesis.consensus,
      fromHeight,
      toHeight: source.head.height,
      headHash: source.head.hash,
      blocks: source.head.height - fromHeight + 1,
      base,
      createdAt: (options.clock ?? Date.now)(),
      signer: toHex(options.signer.publicKey),
      members: staging.members,
    }
    // Field order is the schema's order; the MAC first, then the signature over everything.
    const {members, ...fields} = unsealed
    const unsigned: Manifest = {...fields, encryption: keys === undefined ? null : encryptionFor(keys, unsealed), members, signature: ''}
    const manifest = signManifest(unsigned, options.signer)
    writeFileSync(join(staging.directory, MANIFEST_NAME), manifestText(manifest), {mode: 0o600})
    // The newest block's time (the genesis time when there is none): a function of the input alone.
    const mtime = new Date(lastTimestamp ?? genesis.timestamp)
    const written = await writeArchive(staging.directory, [MANIFEST_NAME, ...members.map((member) => member.name)], out, mtime)
    return {
      file: out,
      kind: manifest.kind,
      chainId: manifest.chainId,
      genesisHash,
      fromHeight,
      toHeight: manifest.toHeight,
      headHash: manifest.headHash,
      blocks: manifest.blocks,
      bytes: written.bytes,
      sm3: written.sm3,
      encrypted: keys !== undefined,
      signer: options.signer.address,
      createdAt: manifest.createdAt,
      base: base?.sm3 ?? null,
      via: source.via,
    }
  } finally {
    if (staging !== undefined) removeWorkDir(staging.directory)
    await source.close()
  }
}
