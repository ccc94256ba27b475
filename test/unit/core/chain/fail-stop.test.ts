/**
 * Fail-stop: a fault on a chain's commit path halts it with a reason, logged once; a halted chain
 * refuses txs (CHAIN_HALTED), keeps answering reads, and is not driven again. A storage fault
 * resumes by itself once the disk takes writes: the ledger is reopened, its head is
 * authoritative, pending txs commit, and every block committed before the fault is intact.
 *
 * The storage fault is injected at the LevelDB boundary (the database's batch write), so
 * everything above it — the ledger's refusal of writes after a failed one, the chain's halt and
 * reopen — is the real code.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../../../../src/core/bytes.js'
import {assert} from '../../../../src/core/assert.js'
import {Chain, type ChainOptions} from '../../../../src/core/chain/chain.js'
import type {Genesis} from '../../../../src/core/chain/genesis.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {createSigner, generateKeyPair, type KeyPair} from '../../../../src/core/crypto/index.js'
import {WichainError} from '../../../../src/core/errors.js'
import {Ledger} from '../../../../src/core/ledger/index.js'
import {HALT_PROBE_DELAY_MS_MAX, HALT_REMINDER_INTERVAL_MS} from '../../../../src/core/limits.js'
import type {Logger} from '../../../../src/core/log.js'
import {createTx, type Tx} from '../../../../src/core/types/tx.js'
import {soloGenesis} from './fixtures.js'

function makeGenesis(nodeKey: KeyPair, user: KeyPair): Genesis {
  return soloGenesis(nodeKey, user, 'wi-halt', {blockTxsMax: 2, blockIntervalMs: 1, txExpiryWindow: 1000, mempoolTxsMax: 50})
}

/** Every line the chain logs, by level. */
function recordingLogger(): Logger & {lines: Array<{level: string; message: string; context?: Record<string, unknown>}>} {
  const lines: Array<{level: string; message: string; context?: Record<string, unknown>}> = []
  const logger = {
    lines,
    debug: (message: string, context?: Record<string, unknown>) => void lines.push({level: 'debug', message, context}),
    info: (message: string, context?: Record<string, unknown>) => void lines.push({level: 'info', message, context}),
    warn: (message: string, context?: Record<string, unknown>) => void lines.push({level: 'warn', message, context}),
    error: (message: string, context?: Record<string, unknown>) => void lines.push({level: 'error', message, context}),
    child: () => logger,
  }
  return logger
}

/**
 * A disk that can fill up: while `full`, the LevelDB batch write of every ledger this opens fails
 * with ENOSPC — before writing (`lands: false`) or after the batch reached the store (`lands:
 * true`: the write's outcome is unknown to the ledger, as after a failed fsync).
 */
class FillableDisk {
  full = false
  lands = false
  batchWrites = 0
  failedWrites = 0
  probes = 0

  async openLedger(directory: string, logger: Logger): Promise<Ledger> {
    const ledger = await Ledger.open(directory, {logger})
    const database = (ledger as unknown as {database: {batch(): {write(options?: unknown): Promise<void>}}}).database
    const batch = database.batch.bind(database)
    database.batch = () => {
      const chained = batch()
      const write = chained.write.bind(chained)
      chained.write = async (options?: unknown) => {
        this.batchWrites++
        if (!this.full) return write(options)
        this.failedWrites++
        if (this.lands) await write(options)
        throw Object.assign(new Error('IO error: /ledger/000005.log: No space left on device'), {code: 'LEVEL_IO_ERROR'})
      }
      return chained
    }
    return ledger
  }

  async probe(): Promise<void> {
    this.probes++
    if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC', syscall: 'write'})
  }
}

describe('core/chain fail-stop (halt on a fault; resume after a storage fault)', () => {
  const nodeKey = generateKeyPair()
  const userKey = generateKeyPair()
  const signer = createSigner(userKey)
  const genesis = makeGenesis(nodeKey, userKey)
  let directory: string
  let clock = 1_700_000_001_000
  let counter = 0

  const put = (): Tx => createTx({chainId: 'wi-halt', contract: 'evidence', method: 'put', args: {key: `k${counter++}`, hash: 'c'.repeat(64)}, expiry: 900}, signer)

  function open(disk: FillableDisk, logger: Logger, extra: Partial<ChainOptions> = {}): Promise<Chain> {
    return Chain.open({
      directory,
      genesis,
      nodeKey,
      logger,
      clock: () => clock,
      createEngine: (context) => createSoloEngine(context),
      openLedger: (dir, log) => disk.openLedger(dir, log),
      probeStorage: () => disk.probe(),
      ...extra,
    })
  }

  /** Tick (advancing the clock `stepMs` each time) until `done`, at most `ticksMax` times. */
  async function tickUntil(chain: Chain, done: () => boolean | Promise<boolean>, ticksMax = 200, stepMs = 5): Promise<void> {
    for (let i = 0; i < ticksMax; i++) {
      if (await done()) return
      clock += stepMs
      await chain.tick()
    }
    if (!(await done())) throw new Error('condition not reached')
  }

  async function ticks(chain: Chain, count: number, stepMs: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      clock += stepMs
      await chain.tick()
    }
  }

  async function commitAll(chain: Chain, txs: readonly Tx[]): Promise<Map<string, number>> {
    for (const tx of txs) await chain.submitTx(tx.bytes)
    await tickUntil(chain, async () => (await Promise.all(txs.map((tx) => chain.getTxLocation(tx.hashHex)))).every((found) => found !== undefined))
    const heights = new Map<string, number>()
    for (const tx of txs) heights.set(tx.hashHex, (await chain.getTxLocation(tx.hashHex))!.height)
    return heights
  }

  async function expectCode(promise: Promise<unknown>, code: string): Promise<WichainError> {
    try {
      await promise
    } catch (error) {
      expect(error).to.be.instanceOf(WichainError)
      expect((error as WichainError).code).to.equal(code)
      return error as WichainError
    }
    throw new Error(`expected ${code}, but it succeeded`)
  }

  const count = (logger: ReturnType<typeof recordingLogger>, level: string, message: string) =>
    logger.lines.filter((line) => line.level === level && line.message === message).length

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'wichain-halt-'))
  })
  afterEach(() => rmSync(directory, {recursive: true, force: true}))

  it('halts on a failed ledger write, refuses txs, logs once, stops writing; resumes once the disk takes writes, losing nothing', async () => {
    const disk = new FillableDisk()
    const logger = recordingLogger()
    const chain = await open(disk, logger)
    try {
      const before = await commitAll(chain, [put(), put(), put()])
      const headBefore = chain.head()
      expect(headBefore.height).to.equal(2)

      disk.full = true
      const pending = [put(), put()]
      for (const tx of pending) await chain.submitTx(tx.bytes)
      const waiting = chain.waitForTx(pending[0]!.hashHex, 60_000)
      await tickUntil(chain, () => chain.halted() !== undefined, 50)

      const halt = chain.halted()!
      expect(halt).to.include({code: 'STORAGE_ERROR', height: 2, resumable: true, at: clock})
      expect(halt.reason).to.match(/No space left on device/)
      expect(chain.status()).to.include({state: 'halted'})
      expect(chain.status().halted).to.deep.equal({...halt})
      expect(chain.status().faults).to.deep.equal({STORAGE_ERROR: 1})
      // A client waiting for a tx hears of the halt at once, not at its timeout.
      const waitError = await expectCode(waiting, 'CHAIN_HALTED')
      expect(waitError.message).to.match(/No space left on device/)
      const refused = await expectCode(chain.submitTx(put().bytes), 'CHAIN_HALTED')
      expect(refused.message).to.match(/halted at height 2/)
      await expectCode(chain.waitForTx(pending[1]!.hashHex, 1_000), 'CHAIN_HALTED')

      // Many driver ticks later (~25 s, under the reminder interval): no write retried, one line.
      const writesAtHalt = disk.batchWrites
      await ticks(chain, 500, 50)
      expect(disk.batchWrites).to.equal(writesAtHalt)
      expect(disk.failedWrites).to.equal(1)
      expect(count(logger, 'error', 'chain halted')).to.equal(1)
      expect(logger.lines.filter((line) => line.level === 'error')).to.have.length(1)
      // Probes back off: at most one per HALT_PROBE_DELAY_MS_MAX after the first few.
      expect(disk.probes).to.be.within(3, 25_000 / 1_000)
      // Reads keep working while halted.
      for (const [txHash, height] of before) expect(await chain.getTxLocation(txHash)).to.include({height, status: 'ok'})
      expect(chain.query('evidence', 'get', {key: `k${counter - 6}`})).to.not.equal(undefined)
      expect(chain.isPending(pending[0]!.hashHex)).to.equal(true)

      // Past the reminder interval: one reminder (warn), still one error line.
      await ticks(chain, 20, HALT_REMINDER_INTERVAL_MS / 20)
      expect(count(logger, 'warn', 'chain still halted')).to.equal(1)
      expect(count(logger, 'error', 'chain halted')).to.equal(1)
      expect(chain.halted()).to.not.equal(undefined)

      // Space is freed: within one probe interval the chain reopens its ledger and resumes.
      disk.full = false
      await tickUntil(chain, () => chain.halted() === undefined, 100, HALT_PROBE_DELAY_MS_MAX / 20)
      expect(count(logger, 'info', 'chain resumed')).to.equal(1)
      expect(chain.status()).to.include({state: 'running', halted: null})
      expect(chain.head().height).to.equal(2)
      // The txs admitted before the fault commit after it; a new one too.
      const after = put()
      await chain.submitTx(after.bytes)
      await tickUntil(chain, async () => (await Promise.all([...pending, after].map((tx) => chain.getTxLocation(tx.hashHex)))).every((found) => found !== undefined))
      for (const [txHash, height] of before) expect(await chain.getTxLocation(txHash)).to.include({height, status: 'ok'})
      for (let height = 1; height <= chain.head().height; height++) expect(await chain.getBlock(height)).to.not.equal(undefined)
      expect(toHex((await chain.getBlock(2))!.hash)).to.equal(toHex(headBefore.hash))
      expect(count(logger, 'error', 'chain halted')).to.equal(1)
    } finally {
      await chain.close()
    }
  })

  it('after a failed write whose batch did land, resumes at that head (h+1) without committing its txs twice', async () => {
    const disk = new FillableDisk()
    const logger = recordingLogger()
    const chain = await open(disk, logger)
    try {
      await commitAll(chain, [put()])
      disk.full = true
      disk.lands = true
      const landed = put()
      await chain.submitTx(landed.bytes)
      await tickUntil(chain, () => chain.halted() !== undefined, 50)
      expect(chain.head().height).to.equal(1)
      disk.full = false
      await tickUntil(chain, () => chain.halted() === undefined, 100, HALT_PROBE_DELAY_MS_MAX / 20)
      expect(chain.head().height).to.equal(2)
      expect(chain.isPending(landed.hashHex)).to.equal(false)
      expect(await chain.getTxLocation(landed.hashHex)).to.include({height: 2, index: 0})
      const next = await commitAll(chain, [put()])
      expect([...next.values()]).to.deep.equal([3])
    } finally {
      await chain.close()
    }
  })

  it('stays halted on a broken invariant (not a storage fault), however long the disk is fine', async () => {
    const disk = new FillableDisk()
    const logger = recordingLogger()
    let broken = false
    const chain = await open(disk, logger, {
      onBlockCommitted: () => assert(!broken, 'the block committed breaks an invariant of this test'),
    })
    try {
      await commitAll(chain, [put()])
      broken = true
      await chain.submitTx(put().bytes)
      await tickUntil(chain, () => chain.halted() !== undefined, 50)
      const halt = chain.halted()!
      expect(halt).to.include({code: 'INTERNAL', resumable: false})
      expect(halt.reason).to.match(/assertion failed: the block committed breaks an invariant/)
      expect(halt.reason).to.match(/until the node restarts/)
      await ticks(chain, 100, HALT_PROBE_DELAY_MS_MAX / 10)
      expect(disk.probes).to.equal(0)
      expect(chain.halted()).to.deep.equal(halt)
      expect(count(logger, 'error', 'chain halted')).to.equal(1)
      await expectCode(chain.submitTx(put().bytes), 'CHAIN_HALTED')
      expect(chain.status().faults).to.deep.equal({INTERNAL: 1})
    } finally {
      await chain.close()
    }
  })
})
