import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {bytesEqual, utf8} from '../../../../src/core/bytes.js'
import {Ledger} from '../../../../src/core/ledger/index.js'
import {fixtureTx, heightValue} from './fixtures/chain.js'
import {TempDirs} from './fixtures/temp.js'

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url))
const PROJECT_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const WRITER_TIMEOUT_MS = 20_000

interface WriterRun {
  readonly startHeight: number
  /** Last height whose commit the writer acknowledged. */
  readonly lastPrinted: number
}

type KillTrigger = 'after-commit' | 'after-begin'

/**
 * Start the writer on `directory`; once it has acknowledged `newHeights` heights beyond its start,
 * SIGKILL it on its next line of the `trigger` kind (right after an acknowledged commit, or right
 * after it handed the next block to commitBlock). Resolves with what it printed before it died.
 */
function runWriterAndKill(directory: string, newHeights: number, trigger: KillTrigger): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, directory], {cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    const committed: number[] = []
    let pending = ''
    let stderr = ''
    let killed = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`writer did not reach ${newHeights} new heights in ${WRITER_TIMEOUT_MS} ms; stderr: ${stderr}`))
    }, WRITER_TIMEOUT_MS)
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)))
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        const isBegin = line.startsWith('begin ')
        if (!isBegin) committed.push(Number(line))
        const armed = committed.length > newHeights && isBegin === (trigger === 'after-begin')
        if (!killed && armed) {
          killed = true
          child.kill('SIGKILL')
        }
      }
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (!killed || signal !== 'SIGKILL') {
        reject(new Error(`writer exited on its own (code ${code}, signal ${signal}); stderr: ${stderr}`))
        return
      }
      resolve({startHeight: committed[0]!, lastPrinted: committed.at(-1)!})
    })
  })
}

/** Everything the crash test demands of a reopened ledger; returns the head height. */
async function checkRecovered(directory: string, run: WriterRun): Promise<number> {
  const ledger = await Ledger.open(directory)
  try {
    const head = ledger.head()!
    // At h or h+1: every acknowledged block survived, at most the one in flight was added.
    expect(head.height).to.be.at.least(run.lastPrinted)
    expect(head.height).to.be.at.most(run.lastPrinted + 1)
    let previousHash: Uint8Array = new Uint8Array(32)
    let txCount = 0
    for (let height = 0; height <= head.height; height++) {
      const block = (await ledger.getBlock(height))!
      expect(bytesEqual(block.header.prevHash, previousHash), `block ${height} chains`).to.equal(true)
      previousHash = block.hash
      for (const [index, tx] of block.txs.entries()) {
        const stored = (await ledger.getTx(tx.hash))!
        expect([stored.height, stored.index]).to.deep.equal([height, index])
        expect(bytesEqual(stored.receipt.txHash, tx.hash)).to.equal(true)
      }
      txCount += block.txs.length
    }
    expect(bytesEqual(previousHash, head.hash)).to.equal(true)
    // Nothing of the next block leaked: its txs (deterministic hashes) are not indexed.
    for (let index = 0; index < 4; index++) expect(await ledger.hasTx(fixtureTx(head.height + 1, index).hash)).to.equal(false)
    expect(await ledger.getBlock(head.height + 1)).to.equal(undefined)
    // The state moved in the same batch as the block.
    expect(ledger.getState(utf8('height'))).to.deep.equal(heightValue(head.height))
    expect(await ledger.verifyIntegrity()).to.deep.equal({height: head.height, blocks: head.height + 1, txs: txCount})
    return head.height
  } finally {
    await ledger.close()
  }
}

describe('core/ledger: crash safety (kill -9 while writing)', function () {
  this.timeout(60_000)
  const temp = new TempDirs()
  afterEach(() => temp.removeAll())

  it('recovers to the last acknowledged block or the one after, intact, at several kill points', async function () {
    const directory = temp.create()
    let previousHead = -1
    const killPoints: Array<[number, KillTrigger]> = [[2, 'after-commit'], [9, 'after-begin'], [23, 'after-begin'], [41, 'after-commit']]
    for (const [newHeights, trigger] of killPoints) {
      const run = await runWriterAndKill(directory, newHeights, trigger)
      expect(run.startHeight).to.equal(Math.max(previousHead, 0))
      expect(run.lastPrinted).to.be.at.least(run.startHeight + newHeights)
      previousHead = await checkRecovered(directory, run)
    }
  })
})
