/**
 * Backup files on disk: write the tar.gz from a staging directory (reproducible: portable headers,
 * one fixed mtime, members in manifest order), and read one back into a work directory while
 * checking it against its manifest: every member present, in order, of the declared size and
 * SM3, nothing else in the archive. Reading never writes outside the given work directory.
 */
import {chmodSync, createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {toHex} from '../../core/bytes.js'
import {sm3} from '../../core/crypto/sm3.js'
import {dirname, join} from 'node:path'
import * as tar from 'tar'
import {WichainError} from '../../core/errors.js'
import {BACKUP_LIMITS, MANIFEST_NAME, parseManifest, type Manifest} from './format.js'

/** SM3 (hex) and size of a whole file, streamed. */
export async function fileDigest(path: string): Promise<{sm3: string; bytes: number}> {
  const hash = createHash('sm3')
  let bytes = 0
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return {sm3: hash.digest('hex'), bytes}
}

export function memberDigest(bytes: Uint8Array): string {
  return toHex(sm3(bytes))
}

/**
 * Pack `names` (paths relative to `staging`, manifest first) into `out`. Written to a temporary
 * name beside `out` and renamed, so a crash never leaves a half-written file under the real name.
 */
export async function writeArchive(staging: string, names: readonly string[], out: string, mtime: Date): Promise<{sm3: string; bytes: number}> {
  mkdirSync(dirname(out), {recursive: true})
  const partial = `${out}.partial-${process.pid}`
  try {
    // Owner-only from the first byte (a backup may hold a keystore the operator keeps
    // unencrypted): the file is created 0600 before tar opens it, and chmod'ed in case a
    // leftover of the same name had other bits (the umask only narrows the mode).
    rmSync(partial, {force: true})
    writeFileSync(partial, new Uint8Array(0), {mode: 0o600, flag: 'wx'})
    chmodSync(partial, 0o600)
    await tar.c({gzip: true, portable: true, mtime, cwd: staging, file: partial, noDirRecurse: true, strict: true}, [...names])
    renameSync(partial, out)
  } finally {
    rmSync(partial, {force: true})
  }
  return fileDigest(out)
}

export interface OpenedBackup {
  readonly file: string
  /** SM3 and size of the whole file (what an incremental's `base.sm3` names). */
  readonly sm3: string
  readonly bytes: number
  readonly manifest: Manifest
  /** Member name → path of its stored bytes under the work directory (absent when manifest-only). */
  readonly members: ReadonlyMap<string, string>
}

function damaged(file: string, message: string, cause?: unknown): WichainError {
  return new WichainError('CORRUPT_DATA', `backup ${file}: ${message}`, {file}, {cause})
}

/**
 * Read `file`: the manifest, and (when `workDir` is given) every member, checked against the
 * manifest's sizes and SM3 digests and saved under `workDir`. CORRUPT_DATA on any mismatch.
 */
export async function openBackup(file: string, workDir?: string): Promise<OpenedBackup> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new WichainError('FILE_NOT_FOUND', `backup file not found: ${file}`)
  const digest = await fileDigest(file)
  let manifest: Manifest | undefined
  const members = new Map<string, string>()
  let index = 0
  let failure: WichainError | undefined
  const fail = (message: string): void => {
    failure ??= damaged(file, message)
  }
  if (workDir !== undefined) mkdirSync(workDir, {recursive: true})
  const onEntry = (entry: tar.ReadEntry): void => {
    const position = index++
    if (failure !== undefined) return
    if (entry.type !== 'File') return fail(`unexpected ${entry.type} entry ${entry.path}`)
    const expected = position === 0 ? {name: MANIFEST_NAME, bytes: undefined, sm3: undefined} : manifest?.members[position - 1]
    if (expected === undefined) return fail(`unexpected member ${entry.path}`)
    if (entry.path !== expected.name) return fail(`member ${position} is ${entry.path}, expected ${expected.name}`)
    const sizeMax = position === 0 ? BACKUP_LIMITS.manifestBytesMax : expected.bytes!
    if ((entry.size ?? 0) > sizeMax || (position > 0 && entry.size !== expected.bytes)) return fail(`member ${entry.path} has the wrong size`)
    if (position > 0 && workDir === undefined) return
    const chunks: Buffer[] = []
    entry.on('data', (chunk: Buffer) => chunks.push(chunk))
    entry.on('end', () => {
      if (failure !== undefined) return
      const bytes = Buffer.concat(chunks)
      try {
        if (position === 0) {
          manifest = parseManifest(bytes)
          return
        }
        if (memberDigest(bytes) !== expected.sm3) return fail(`member ${entry.path} does not match its SM3 digest`)
        const path = join(workDir!, `member-${position}`)
        writeFileSync(path, bytes, {mode: 0o600})
        members.set(entry.path, path)
      } catch (error) {
        // A manifest refused for what it is (an unsigned older format) keeps its code; anything else is damage.
        const refused = error instanceof WichainError && error.code !== 'CORRUPT_DATA'
        failure ??= refused ? new WichainError(error.code, `backup ${file}: ${error.message}`, {file, ...error.details}, {cause: error}) : damaged(file, (error as Error).message, error)
      }
    })
  }
  try {
    await tar.t({file, strict: true, onReadEntry: onEntry})
  } catch (error) {
    throw damaged(file, `not a readable tar.gz (${(error as Error).message})`, error)
  }
  if (failure !== undefined) throw failure
  if (manifest === undefined) throw damaged(file, `${MANIFEST_NAME} is missing`)
  if (index !== manifest.members.length + 1) throw damaged(file, `holds ${index - 1} members, its manifest lists ${manifest.members.length}`)
  return {file, sm3: digest.sm3, bytes: digest.bytes, manifest, members}
}

/** A fresh private work directory under `parent` (removed with `removeWorkDir`). */
export function makeWorkDir(parent: string, label: string): string {
  mkdirSync(parent, {recursive: true})
  const path = join(parent, `.wichain-${label}-${process.pid}-${Date.now().toString(36)}`)
  mkdirSync(path, {mode: 0o700})
  return path
}

export function removeWorkDir(path: string): void {
  rmSync(path, {recursive: true, force: true})
}
