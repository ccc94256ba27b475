/**
 * `restore`: rebuild a node home from a full backup and the incrementals on it. Verify first,
 * then write: every manifest signature and signer, every member digest, the links between the
 * backups, the hash chain and every certificate are checked before anything is built. The ledger is then rebuilt by replaying the
 * blocks through a Chain (`applySynced`): the engine checks each certificate against the
 * validators of its height and the chain re-executes every tx and compares receipt and state
 * roots, so the restored state is proven by re-execution, not copied. All of it happens in a
 * private directory beside the home, which replaces the home only when everything passed; on
 * any failure the home is left exactly as it was.
 */
import {existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {toHex} from '../../core/bytes.js'
import {Chain} from '../../core/chain/chain.js'
import {generateKeyPair} from '../../core/crypto/index.js'
import {WichainError} from '../../core/errors.js'
import {nullLogger, type Logger} from '../../core/log.js'
import {chainDataPath, HOME_FILES, readNodeConfig} from '../../core/node/home.js'
import {CONSENSUS_TICK_MS, engineFactory} from '../../core/node/node.js'
import {decodeCertificate} from '../../core/types/certificate.js'
import {runningPid} from '../process.js'
import {makeWorkDir, removeWorkDir} from './archive.js'
import type {ProgressSink} from './check.js'
import {blockCount, forEachRecord, openBackupSet, walkBackupSet, type BackupSet} from './verify.js'

export interface RestoreOptions {
  readonly home: string
  /** A full backup and any incrementals on it (any order). */
  readonly from: readonly string[]
  readonly password?: string
  /** Replace a non-empty home (never one whose node runs). */
  readonly force?: boolean
  readonly logger?: Logger
  /** One tick per block verified, then one per block replayed. */
  readonly progress?: ProgressSink
}

export interface RestoreResult {
  readonly home: string
  readonly chainId: string
  readonly genesisHash: string
  readonly height: number
  readonly headHash: string
  readonly blocks: number
  readonly backups: number
}

function checkHome(home: string, force: boolean): void {
  if (!existsSync(home)) return
  if (!statSync(home).isDirectory()) throw new WichainError('INVALID_ARGUMENT', `${home} is not a directory`)
  if (readdirSync(home).length === 0) return
  if (!force) throw new WichainError('NOT_EMPTY', `${home} is not empty; restore into an empty home, or pass --force to replace it`)
  const pid = runningPid(home)
  if (pid !== undefined) throw new WichainError('NODE_RUNNING', `a node runs on ${home} (pid ${pid}); stop it before restoring over it`)
}

function writeHomeFiles(staging: string, set: BackupSet): void {
  mkdirSync(staging, {mode: 0o700})
  writeFileSync(join(staging, HOME_FILES.config), set.home.config, {mode: 0o644})
  writeFileSync(join(staging, HOME_FILES.genesis), set.home.genesis, {mode: 0o644})
  writeFileSync(join(staging, HOME_FILES.nodeKey), set.home.nodeKey, {mode: 0o600})
  readNodeConfig(staging)
}

/**
 * Replay every block into a fresh ledger under `staging`. The chain runs with a throwaway node
 * key: replay only verifies and applies committed blocks, it never signs, so the node keystore
 * (and its password) is not needed here.
 */
async function replay(staging: string, set: BackupSet, logger: Logger, progress?: ProgressSink): Promise<{height: number; hash: string}> {
  const {genesis} = set
  const chain = await Chain.open({
    directory: chainDataPath(staging, genesis.chainId),
    genesis,
    nodeKey: generateKeyPair(),
    logger,
    createEngine: engineFactory(logger),
    consensusTickMs: CONSENSUS_TICK_MS[genesis.consensus],
    tickWhenIdle: false,
  })
  try {
    await forEachRecord(set, async (record, height, where) => {
      const applied = await chain.applySynced({height, payload: record.payload, certificate: decodeCertificate(record.certificate)})
      if (!applied) throw new WichainError('VERIFICATION_FAILED', `${where}: block ${height} was refused on replay: its certificate does not verify against the validators of that height`)
      progress?.tick()
    })
    const head = chain.head()
    return {height: head.height, hash: toHex(head.hash)}
  } finally {
    await chain.close()
  }
}

export async function restoreBackups(options: RestoreOptions): Promise<RestoreResult> {
  const home = resolve(options.home)
  checkHome(home, options.force === true)
  const logger = options.logger ?? nullLogger
  const workDir = makeWorkDir(dirname(home), `restore-${basename(home)}`)
  try {
    const set = await openBackupSet(options.from, {workDir: join(workDir, 'backups'), password: options.password, requireFull: true})
    options.progress?.total(2 * blockCount(set))
    await walkBackupSet(set, {verifySignatures: true, progress: options.progress})
    const staging = join(workDir, 'home')
    writeHomeFiles(staging, set)
    const head = await replay(staging, set, logger, options.progress)
    const last = set.backups.at(-1)!.manifest
    if (head.height !== last.toHeight || head.hash !== last.headHash) {
      throw new WichainError('VERIFICATION_FAILED', `replay ended at ${head.height} ${head.hash}, not at the backup's head ${last.toHeight} ${last.headHash}`)
    }
    // Checked again right before the swap: a node may have been started on the home meanwhile.
    checkHome(home, options.force === true)
    if (existsSync(home)) rmSync(home, {recursive: true, force: true})
    renameSync(staging, home)
    logger.info('restored', {home, chainId: last.chainId, height: head.height})
    return {
      home,
      chainId: last.chainId,
      genesisHash: last.genesisHash,
      height: head.height,
      headHash: head.hash,
      blocks: blockCount(set),
      backups: set.backups.length,
    }
  } finally {
    removeWorkDir(workDir)
  }
}
