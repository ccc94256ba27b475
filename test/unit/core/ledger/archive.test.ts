import {expect} from 'chai'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {utf8} from '../../../../src/core/bytes.js'
import {ArchiveReader, Ledger, type BlockCommit} from '../../../../src/core/ledger/index.js'
import {blockKey, headerKey, receiptsKey} from '../../../../src/core/ledger/keys.js'
import {defaultArchiveDirectory} from '../../../../src/core/ledger/archive-store.js'
import {nextCommit, parentOf} from './fixtures/chain.js'
import {expectEveryRead, ledgerDirectory, segmentFiles} from './fixtures/archive.js'
import {commitChain, rejectionOf, withRawDatabase} from './fixtures/helpers.js'
import {TempDirs} from './fixtures/temp.js'

describe('core/ledger: archive', function () {
  const temp = new TempDirs()
  afterEach(() => temp.removeAll())

  async function archivedLedger(blocks: number, below: number): Promise<{ledger: Ledger; commits: BlockCommit[]; directory: string}> {
    const directory = ledgerDirectory(temp)
    const ledger = await Ledger.open(directory)
    const commits = await commitChain(ledger, blocks, {txCount: 3})
    await ledger.archive(below, {segmentBlocksMax: 4})
    return {ledger, commits, directory}
  }

  it('moves bodies and receipts below the mark into segments; every read still works', async function () {
    const directory = ledgerDirectory(temp)
    const ledger = await Ledger.open(directory)
    const commits = await commitChain(ledger, 12, {txCount: 3})
    const result = await ledger.archive(10, {segmentBlocksMax: 4})
    expect(result.archivedBelow).to.equal(10)
    expect(result.done).to.equal(true)
    expect(result.segments.map((segment) => [segment.from, segment.to])).to.deep.equal([[0, 3], [4, 7], [8, 9]])
    expect(result.blocks).to.equal(10)
    expect(result.txs).to.equal(27)
    expect(segmentFiles(ledger.archiveDirectory)).to.have.length(6)
    await expectEveryRead(ledger, commits)
    expect(await ledger.verifyIntegrity()).to.deep.equal({height: 12, blocks: 13, txs: 36})
    await ledger.close()
    // Live: bodies and receipts gone below the mark, headers kept; above the mark untouched.
    await withRawDatabase(directory, async (database) => {
      for (let height = 0; height < 10; height++) {
        expect(await database.get(blockKey(height))).to.equal(undefined)
        expect(await database.get(receiptsKey(height))).to.equal(undefined)
        expect(await database.get(headerKey(height))).to.not.equal(undefined)
      }
      expect(await database.get(blockKey(10))).to.not.equal(undefined)
      expect(await database.get(headerKey(10))).to.equal(undefined)
    })
    const reopened = await Ledger.open(directory)
    expect(reopened.stats().archivedBelow).to.equal(10)
    await expectEveryRead(reopened, commits)
    await reopened.close()
  })

  it('keeps committing after archiving, and archives further on a later run', async function () {
    const {ledger, commits} = await archivedLedger(6, 5)
    for (let i = 0; i < 3; i++) {
      const commit = nextCommit(parentOf(commits.at(-1)!), {txCount: 2})
      await ledger.commitBlock(commit)
      commits.push(commit)
    }
    const again = await ledger.archive(8)
    expect(again.segments.map((segment) => [segment.from, segment.to])).to.deep.equal([[5, 7]])
    expect(ledger.archiveStatus().archivedBelow).to.equal(8)
    await expectEveryRead(ledger, commits)
    await ledger.close()
  })

  it('refuses a mark above the head or below 1, and does nothing below the current mark', async function () {
    const {ledger} = await archivedLedger(6, 3)
    for (const below of [7, 0, -1, 2.5, Number.NaN]) expect((await rejectionOf(ledger.archive(below))).code).to.equal('INVALID_ARGUMENT')
    const nothing = await ledger.archive(2)
    expect([nothing.segments.length, nothing.done, nothing.archivedBelow]).to.deep.equal([0, true, 3])
    // The head itself is never archived: --below may equal the head height at most.
    expect((await ledger.archive(6)).archivedBelow).to.equal(6)
    await ledger.close()
  })

  it('stops after segmentsMax segments and reports that it is not done', async function () {
    const directory = ledgerDirectory(temp)
    const ledger = await Ledger.open(directory)
    await commitChain(ledger, 10)
    const first = await ledger.archive(10, {segmentBlocksMax: 3, segmentsMax: 1})
    expect([first.archivedBelow, first.done]).to.deep.equal([3, false])
    const rest = await ledger.archive(10, {segmentBlocksMax: 3})
    expect([rest.archivedBelow, rest.done, rest.segments.length]).to.deep.equal([10, true, 3])
    await ledger.close()
  })

  it('restores every archived height into the live store and removes the segments', async function () {
    const {ledger, commits, directory} = await archivedLedger(9, 9)
    const archiveDirectory = ledger.archiveDirectory
    let progressed = 0
    const restored = await ledger.restoreArchive({onProgress: (heights) => void (progressed += heights)})
    expect([restored.archivedBelow, restored.blocks, restored.done, progressed]).to.deep.equal([0, 9, true, 9])
    expect(segmentFiles(archiveDirectory)).to.deep.equal([])
    expect(JSON.parse(readFileSync(join(archiveDirectory, 'manifest.json'), 'utf8')).segments).to.deep.equal([])
    await expectEveryRead(ledger, commits)
    await ledger.close()
    await withRawDatabase(directory, async (database) => {
      for (let height = 0; height < 9; height++) {
        expect(await database.get(blockKey(height))).to.not.equal(undefined)
        expect(await database.get(headerKey(height))).to.equal(undefined)
      }
    })
  })

  it('serves reads while archive and restore steps move heights under them', async function () {
    const directory = ledgerDirectory(temp)
    const ledger = await Ledger.open(directory)
    const commits = await commitChain(ledger, 12, {txCount: 2})
    let moving = true
    let reads = 0
    const reader = (async () => {
      while (moving) {
        await expectEveryRead(ledger, commits)
        reads++
      }
    })()
    await ledger.archive(10, {segmentBlocksMax: 1})
    await ledger.restoreArchive()
    await ledger.archive(12, {segmentBlocksMax: 2})
    moving = false
    await reader
    expect(reads).to.be.at.least(1)
    await ledger.close()
  })

  it('reads archived txs and blocks offline with ArchiveReader', async function () {
    const {ledger, commits} = await archivedLedger(8, 7)
    const reader = await ArchiveReader.open(ledger.archiveDirectory)
    await ledger.close()
    expect([reader.chainId, reader.archivedBelow, reader.segments().length]).to.deep.equal(['ledger-test', 7, 2])
    const tx = commits[5]!.block.txs[2]!
    const found = (await reader.findTx(tx.hash))!
    expect([found.block.header.height, found.index, found.receipts[2]!.status]).to.deep.equal([5, 2, commits[5]!.receipts[2]!.status])
    expect(found.segment).to.equal('segment-000000000004-000000000006')
    expect((await reader.block(6))!.block.hashHex).to.equal(commits[6]!.block.hashHex)
    expect(await reader.block(7)).to.equal(undefined)
    expect(await reader.findTx(commits[8]!.block.txs[0]!.hash)).to.equal(undefined)
    for (const segment of reader.segments()) await reader.verify(segment)
    expect((await rejectionOf(ArchiveReader.open(temp.create()))).code).to.equal('NOT_FOUND')
  })

  it('places the archive of a node home in HOME/archive/<chainId>, elsewhere beside the store', function () {
    expect(defaultArchiveDirectory('/srv/node0/data/wi-prov')).to.equal('/srv/node0/archive/wi-prov')
    expect(defaultArchiveDirectory('/tmp/x/ledger')).to.equal('/tmp/x/ledger.archive')
  })

  it('keeps its archive record out of reach of putMeta', async function () {
    const directory = ledgerDirectory(temp)
    const ledger = await Ledger.open(directory)
    expect((await rejectionOf(ledger.putMeta('ledger.archive', utf8('x')))).code).to.equal('INVALID_ARGUMENT')
    expect((await rejectionOf(ledger.archive(1))).code).to.equal('NOT_FOUND')
    await ledger.close()
    expect(existsSync(defaultArchiveDirectory(directory))).to.equal(false)
  })
})
