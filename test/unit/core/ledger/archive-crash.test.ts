import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Ledger, type BlockCommit} from '../../../../src/core/ledger/index.js'
import {encodeReceipts} from '../../../../src/core/ledger/records.js'
import {prepareRecord, writeManifestFile, writeSegment} from '../../../../src/core/ledger/archive-segment.js'
import {encodeBlock} from '../../../../src/core/types/block.js'
import {CHAIN_ID} from './fixtures/chain.js'
import {expectEveryRead, ledgerDirectory, segmentFiles} from './fixtures/archive.js'
import {commitChain} from './fixtures/helpers.js'
import {TempDirs} from './fixtures/temp.js'

const ARCHIVER = fileURLToPath(new URL('./fixtures/archiver.ts', import.meta.url))
const PROJECT_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const ARCHIVER_TIMEOUT_MS = 20_000

/** Start the archiver on `directory` and SIGKILL it right after its `lines`-th line of output. */
function runArchiverAndKill(directory: string, lines: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ARCHIVER, directory], {cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let seen = 0
    let stderr = ''
    let killed = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`archiver printed ${seen} of ${lines} lines in ${ARCHIVER_TIMEOUT_MS} ms; stderr: ${stderr}`))
    }, ARCHIVER_TIMEOUT_MS)
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)))
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('\n').length - 1
      if (!killed && seen >= lines) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`archiver exited on its own (code ${code}); stderr: ${stderr}`))
      else resolve()
    })
  })
}

/** After a crash: every read right, the record, the manifest and the files on disk in agreement. */
async function checkRecovered(directory: string, commits: readonly BlockCommit[]): Promise<number> {
  const ledger = await Ledger.open(directory)
  try {
    await expectEveryRead(ledger, commits)
    expect((await ledger.verifyIntegrity()).txs).to.equal(commits.reduce((total, commit) => total + commit.block.txs.length, 0))
    const status = ledger.archiveStatus()
    const named = status.segments.flatMap((segment) => [`${segment.file}.idx`, `${segment.file}.seg`]).sort()
    expect(segmentFiles(ledger.archiveDirectory)).to.deep.equal(named)
    const manifestPath = join(ledger.archiveDirectory, 'manifest.json')
    if (existsSync(manifestPath)) expect(JSON.parse(readFileSync(manifestPath, 'utf8')).segments).to.deep.equal(status.segments)
    else expect(named).to.deep.equal([])
    return status.archivedBelow
  } finally {
    await ledger.close()
  }
}

describe('core/ledger: archive crash safety', function () {
  this.timeout(60_000)
  const temp = new TempDirs()
  afterEach(() => temp.removeAll())

  async function chain(blocks: number): Promise<{directory: string; commits: BlockCommit[]; archiveDirectory: string}> {
    const directory = ledgerDirectory(temp)
    const ledger = await Ledger.open(directory)
    const commits = await commitChain(ledger, blocks, {txCount: 2})
    await ledger.close()
    return {directory, commits, archiveDirectory: ledger.archiveDirectory}
  }

  it('drops a segment written but never adopted (crash before the batch), and temporary files', async function () {
    const {directory, commits, archiveDirectory} = await chain(5)
    const records = await Promise.all(commits.slice(0, 3).map((commit, height) => prepareRecord({
      height, hash: commit.block.hash, txHashes: commit.block.txs.map((tx) => tx.hash),
      blockBytes: encodeBlock(commit.block), receiptsBytes: encodeReceipts(commit.receipts),
    })))
    const segment = await writeSegment(archiveDirectory, CHAIN_ID, records)
    writeFileSync(join(archiveDirectory, 'segment-000000000003-000000000004.seg.tmp'), 'half a segment')
    // Crash after the manifest named it, before the LevelDB batch adopted it.
    await writeManifestFile(archiveDirectory, {chainId: CHAIN_ID, segments: [segment]})
    expect(await checkRecovered(directory, commits)).to.equal(0)
    expect(segmentFiles(archiveDirectory)).to.deep.equal([])
    expect(JSON.parse(readFileSync(join(archiveDirectory, 'manifest.json'), 'utf8')).segments).to.deep.equal([])
  })

  it('drops the files of a segment whose restore batch landed before they were removed', async function () {
    const {directory, commits, archiveDirectory} = await chain(6)
    const ledger = await Ledger.open(directory)
    await ledger.archive(6, {segmentBlocksMax: 3})
    const saved = join(temp.create(), 'saved')
    mkdirSync(saved)
    for (const name of readdirSync(archiveDirectory)) copyFileSync(join(archiveDirectory, name), join(saved, name))
    await ledger.restoreArchive({segmentsMax: 1})
    await ledger.close()
    // Crash right after the batch: the old manifest and the released segment's files are still there.
    for (const name of readdirSync(saved)) copyFileSync(join(saved, name), join(archiveDirectory, name))
    expect(await checkRecovered(directory, commits)).to.equal(3)
  })

  it('leaves every height readable when killed at any point of archive and restore', async function () {
    const {directory, commits} = await chain(9)
    for (const lines of [4, 11, 23]) {
      await runArchiverAndKill(directory, lines)
      await checkRecovered(directory, commits)
    }
  })
})
