import {expect} from 'chai'
import {cpSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {bytesEqual} from '../../../../src/core/bytes.js'
import {ArchiveReader, Ledger, type BlockCommit} from '../../../../src/core/ledger/index.js'
import {encodeArchiveState, type SegmentInfo} from '../../../../src/core/ledger/archive-format.js'
import {prepareRecord, segmentPath, writeManifestFile, writeSegment} from '../../../../src/core/ledger/archive-segment.js'
import {ARCHIVE_META} from '../../../../src/core/ledger/archive-store.js'
import {metaKey} from '../../../../src/core/ledger/keys.js'
import {encodeReceipts} from '../../../../src/core/ledger/records.js'
import {encodeBlock} from '../../../../src/core/types/block.js'
import {createReceipt, type Receipt} from '../../../../src/core/types/receipt.js'
import {CHAIN_ID} from './fixtures/chain.js'
import {ledgerDirectory} from './fixtures/archive.js'
import {commitChain, rejectionOf, withRawDatabase} from './fixtures/helpers.js'
import {TempDirs} from './fixtures/temp.js'

/** One archived segment covering heights 0..4 of a 6-block chain (closed), and what it holds. */
interface Archived {
  readonly directory: string
  readonly archiveDirectory: string
  readonly commits: BlockCommit[]
  readonly segment: SegmentInfo
}

describe('core/ledger: a damaged archive fails reads with CORRUPT_DATA, never with wrong data', function () {
  const temp = new TempDirs()
  afterEach(() => temp.removeAll())

  async function archived(): Promise<Archived> {
    const directory = ledgerDirectory(temp)
    const ledger = await Ledger.open(directory)
    const commits = await commitChain(ledger, 6, {txCount: 3})
    const result = await ledger.archive(5)
    await ledger.close()
    return {directory, archiveDirectory: ledger.archiveDirectory, commits, segment: result.segments[0]!}
  }

  /** Each archived height reads back right or fails with CORRUPT_DATA; returns how many failed. */
  async function readOutcomes(directory: string, commits: readonly BlockCommit[]): Promise<number> {
    const ledger = await Ledger.open(directory)
    let failed = 0
    try {
      for (let height = 0; height < 5; height++) {
        try {
          const block = (await ledger.getBlock(height))!
          const receipts = (await ledger.getReceipts(height))!
          expect(bytesEqual(block.hash, commits[height]!.block.hash)).to.equal(true)
          expect(receipts.map((receipt) => receipt.status)).to.deep.equal(commits[height]!.receipts.map((receipt) => receipt.status))
        } catch (error) {
          expect((error as {code?: string}).code, String(error)).to.equal('CORRUPT_DATA')
          failed++
        }
      }
    } finally {
      await ledger.close()
    }
    return failed
  }

  it('detects a flipped byte in any part of a segment', async function () {
    const {directory, archiveDirectory, commits, segment} = await archived()
    const path = segmentPath(archiveDirectory, segment, 'seg')
    const original = readFileSync(path)
    for (const position of [20, Math.floor(original.length / 2), original.length - 3]) {
      const damaged = Buffer.from(original)
      damaged[position] = damaged[position]! ^ 0x5a
      writeFileSync(path, damaged)
      expect(await readOutcomes(directory, commits), `byte ${position}`).to.be.at.least(1)
      expect((await rejectionOf((await ArchiveReader.open(archiveDirectory)).block(0))).code).to.equal('CORRUPT_DATA')
    }
    writeFileSync(path, original)
    expect(await readOutcomes(directory, commits)).to.equal(0)
  })

  it('leaves an archive directory alone when its manifest is unreadable and the ledger records no segment', async function () {
    const {archiveDirectory} = await archived()
    // A fresh ledger whose archive directory holds files it never wrote, under a damaged manifest.
    const directory = ledgerDirectory(temp)
    const fresh = await Ledger.open(directory)
    await commitChain(fresh, 2, {txCount: 1})
    await fresh.close()
    const foreign = `${directory}.archive`
    cpSync(archiveDirectory, foreign, {recursive: true})
    writeFileSync(join(foreign, 'manifest.json'), '{not json')
    const before = readdirSync(foreign).sort()
    expect(before.filter((name) => name.endsWith('.seg'))).to.have.length(1)
    const ledger = await Ledger.open(directory)
    await ledger.close()
    expect(readdirSync(foreign).sort()).to.deep.equal(before)
  })

  it('refuses to restore a damaged segment and leaves the ledger as it was', async function () {
    const {directory, archiveDirectory, commits, segment} = await archived()
    const path = segmentPath(archiveDirectory, segment, 'seg')
    const damaged = readFileSync(path)
    damaged[damaged.length - 3] = damaged[damaged.length - 3]! ^ 0xff
    writeFileSync(path, damaged)
    const ledger = await Ledger.open(directory)
    expect((await rejectionOf(ledger.restoreArchive())).code).to.equal('CORRUPT_DATA')
    expect(ledger.stats().archivedBelow).to.equal(5)
    expect(bytesEqual((await ledger.getBlock(0))!.hash, commits[0]!.block.hash)).to.equal(true)
    await ledger.close()
  })

  it('fails on a truncated or missing segment and on a damaged index', async function () {
    const {directory, archiveDirectory, commits, segment} = await archived()
    const segmentFile = segmentPath(archiveDirectory, segment, 'seg')
    const indexFile = segmentPath(archiveDirectory, segment, 'idx')
    const [segmentBytes, indexBytes] = [readFileSync(segmentFile), readFileSync(indexFile)]
    truncateSync(segmentFile, segmentBytes.length - 10)
    expect(await readOutcomes(directory, commits)).to.be.at.least(1)
    rmSync(segmentFile)
    expect(await readOutcomes(directory, commits)).to.equal(5)
    writeFileSync(segmentFile, segmentBytes)
    const damagedIndex = Buffer.from(indexBytes)
    damagedIndex[indexBytes.length - 5] = damagedIndex[indexBytes.length - 5]! ^ 1
    writeFileSync(indexFile, damagedIndex)
    expect(await readOutcomes(directory, commits)).to.equal(5)
    expect((await rejectionOf((await ArchiveReader.open(archiveDirectory)).findTx(commits[1]!.block.txs[0]!.hash))).code).to.equal('CORRUPT_DATA')
  })

  /** Replace the segment with a consistent forgery (new digests recorded in the ledger and the manifest). */
  async function forge(target: Archived, blocks: readonly BlockCommit[], receiptsOf: (commit: BlockCommit) => readonly Receipt[]): Promise<void> {
    const records = await Promise.all(
      blocks.slice(0, 5).map((commit, height) =>
        prepareRecord({
          height, hash: commit.block.hash, txHashes: commit.block.txs.map((tx) => tx.hash),
          blockBytes: encodeBlock(commit.block), receiptsBytes: encodeReceipts(receiptsOf(commit)),
        }),
      ),
    )
    const forged = await writeSegment(target.archiveDirectory, CHAIN_ID, records)
    await writeManifestFile(target.archiveDirectory, {chainId: CHAIN_ID, segments: [forged]})
    await withRawDatabase(target.directory, (database) => database.put(metaKey(ARCHIVE_META), encodeArchiveState([forged])))
  }

  it('refuses blocks of another chain placed in a segment with matching digests (hash index check)', async function () {
    const target = await archived()
    const other = await Ledger.open(ledgerDirectory(temp))
    const otherCommits = await commitChain(other, 6, {txCount: 2})
    await other.close()
    await forge(target, otherCommits, (commit) => commit.receipts)
    // Both chains share the genesis block; every other height is refused.
    expect(await readOutcomes(target.directory, target.commits)).to.equal(4)
    const ledger = await Ledger.open(target.directory)
    expect((await rejectionOf(ledger.getTx(target.commits[2]!.block.txs[0]!.hash))).code).to.equal('CORRUPT_DATA')
    expect((await rejectionOf(ledger.verifyIntegrity())).code).to.equal('CORRUPT_DATA')
    await ledger.close()
  })

  it('refuses receipts that do not match the receiptRoot, while the blocks still read', async function () {
    const target = await archived()
    await forge(target, target.commits, (commit) => commit.receipts.map((receipt) => createReceipt({...receipt, gasUsed: receipt.gasUsed + 1})))
    const ledger = await Ledger.open(target.directory)
    for (let height = 1; height < 5; height++) {
      expect(bytesEqual((await ledger.getBlock(height))!.hash, target.commits[height]!.block.hash)).to.equal(true)
      expect((await rejectionOf(ledger.getReceipts(height))).code).to.equal('CORRUPT_DATA')
    }
    await ledger.close()
  })
})
