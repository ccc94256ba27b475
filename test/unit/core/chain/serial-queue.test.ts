/**
 * The chain's serial queue is bounded (limits.ts "Queues"): peers' consensus messages beyond
 * CHAIN_QUEUE_TASKS_MAX tasks or CHAIN_QUEUE_STEP_BYTES_MAX bytes are dropped and counted, ticks
 * coalesce (at most one waits), the chain's own work is never dropped, and a flooded chain keeps
 * committing once the flood has passed.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Chain} from '../../../../src/core/chain/chain.js'
import {SerialQueue} from '../../../../src/core/chain/serial-queue.js'
import {createSoloEngine} from '../../../../src/core/consensus/solo/index.js'
import {createSigner, generateKeyPair} from '../../../../src/core/crypto/index.js'
import {CHAIN_QUEUE_STEP_BYTES_MAX, CHAIN_QUEUE_TASKS_MAX, MESSAGE_BYTES_MAX} from '../../../../src/core/limits.js'
import {nullLogger} from '../../../../src/core/log.js'
import {createTx} from '../../../../src/core/types/tx.js'
import {soloGenesis} from './fixtures.js'

/** A task that runs until released. */
function blocker(): {task: () => Promise<void>; release: () => void} {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  return {task: () => gate, release}
}

describe('core/chain serial queue (bounded)', () => {
  it('runs tasks one at a time in call order', async () => {
    const queue = new SerialQueue({tasksMax: 8, stepBytesMax: 100})
    const events: string[] = []
    const task = (name: string) => async () => {
      events.push(`start ${name}`)
      await new Promise((resolve) => setImmediate(resolve))
      events.push(`end ${name}`)
    }
    await Promise.all([queue.run(task('a')), queue.offer(1, task('b')), queue.tick(task('c'))])
    expect(events).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('drops peer messages beyond the task count, never the chain\'s own work, and takes messages again once drained', async () => {
    const queue = new SerialQueue({tasksMax: 3, stepBytesMax: 1_000})
    const gate = blocker()
    const first = queue.run(gate.task)
    let ran = 0
    const message = async () => void ran++
    const offered = [queue.offer(1, message), queue.offer(1, message), queue.offer(1, message), queue.offer(1, message)]
    expect(offered.map((queued) => queued !== undefined)).to.deep.equal([true, true, false, false])
    expect(queue.status()).to.deep.equal({depth: 3, bytes: 2, dropped: 2})
    // Local work past the bound still queues and runs.
    let local = false
    const own = queue.run(async () => void (local = true))
    expect(queue.status().depth).to.equal(4)
    gate.release()
    await Promise.all([first, own, ...offered])
    expect({ran, local}).to.deep.equal({ran: 2, local: true})
    expect(queue.status()).to.deep.equal({depth: 0, bytes: 0, dropped: 2})
    expect(queue.offer(1, message)).to.not.equal(undefined)
  })

  it('drops peer messages beyond the byte bound', async () => {
    const queue = new SerialQueue({tasksMax: 100, stepBytesMax: 10})
    const gate = blocker()
    const first = queue.run(gate.task)
    const accepted = [queue.offer(6, async () => undefined), queue.offer(5, async () => undefined), queue.offer(4, async () => undefined)]
    expect(accepted.map((queued) => queued !== undefined)).to.deep.equal([true, false, true])
    expect(queue.status()).to.deep.equal({depth: 3, bytes: 10, dropped: 1})
    gate.release()
    await Promise.all([first, ...accepted])
    expect(queue.status().bytes).to.equal(0)
  })

  it('coalesces ticks: at most one waits, and callers share its outcome', async () => {
    const queue = new SerialQueue({tasksMax: 8, stepBytesMax: 100})
    const gate = blocker()
    const first = queue.run(gate.task)
    let ticks = 0
    const tick = async () => void ticks++
    const waiting = Array.from({length: 50}, () => queue.tick(tick))
    expect(queue.status().depth).to.equal(2)
    gate.release()
    await Promise.all([first, ...waiting])
    expect(ticks).to.equal(1)
    // Once the waiting tick has started, the next call queues a new one.
    await queue.tick(tick)
    expect(ticks).to.equal(2)
  })

  describe('a chain flooded with consensus messages', () => {
    const nodeKey = generateKeyPair()
    const userKey = generateKeyPair()
    const genesis = soloGenesis(nodeKey, userKey, 'wi-queue', {blockTxsMax: 10, blockIntervalMs: 1, txExpiryWindow: 1000, mempoolTxsMax: 50})
    let directory: string
    let clock = 1_700_000_001_000
    const counts = {steps: 0, ticks: 0}

    beforeEach(() => {
      directory = mkdtempSync(join(tmpdir(), 'wichain-queue-'))
      counts.steps = 0
      counts.ticks = 0
    })
    afterEach(() => rmSync(directory, {recursive: true, force: true}))

    /** A solo chain whose engine counts the messages and ticks it is given. */
    function open(): Promise<Chain> {
      return Chain.open({
        directory,
        genesis,
        nodeKey,
        logger: nullLogger,
        clock: () => clock,
        createEngine: (context) => {
          const engine = createSoloEngine(context)
          const [step, tick] = [engine.step.bind(engine), engine.tick.bind(engine)]
          engine.step = (from, bytes) => void (counts.steps++, step(from, bytes))
          engine.tick = () => void (counts.ticks++, tick())
          return engine
        },
      })
    }

    async function commitOneTx(chain: Chain): Promise<void> {
      const tx = createTx({chainId: 'wi-queue', contract: 'evidence', method: 'put', args: {key: `k${clock}`, hash: 'c'.repeat(64)}, expiry: 900}, createSigner(userKey))
      await chain.submitTx(tx.bytes)
      for (let tick = 0; tick < 100 && (await chain.getTxLocation(tx.hashHex)) === undefined; tick++) {
        clock += 5
        await chain.tick()
      }
      expect(await chain.getTxLocation(tx.hashHex)).to.not.equal(undefined)
    }

    it('steps at most CHAIN_QUEUE_TASKS_MAX queued messages, counts the rest as dropped, and keeps committing', async () => {
      const chain = await open()
      try {
        const flood = 3 * CHAIN_QUEUE_TASKS_MAX
        const from = 'ab'.repeat(65)
        const stepped = Array.from({length: flood}, (_, index) => chain.step(from, new Uint8Array([index & 0xff])))
        expect(chain.status().queue.depth).to.equal(CHAIN_QUEUE_TASKS_MAX)
        await Promise.all(stepped)
        expect(counts.steps).to.equal(CHAIN_QUEUE_TASKS_MAX)
        expect(chain.status().queue).to.deep.equal({depth: 0, bytes: 0, dropped: flood - CHAIN_QUEUE_TASKS_MAX})
        expect(chain.halted()).to.equal(undefined)
        await commitOneTx(chain)
        await chain.step(from, new Uint8Array([1]))
        expect(counts.steps).to.equal(CHAIN_QUEUE_TASKS_MAX + 1)
      } finally {
        await chain.close()
      }
    })

    it('holds at most CHAIN_QUEUE_STEP_BYTES_MAX bytes of messages', async () => {
      const chain = await open()
      try {
        const large = new Uint8Array(MESSAGE_BYTES_MAX)
        const fitting = Math.floor(CHAIN_QUEUE_STEP_BYTES_MAX / MESSAGE_BYTES_MAX)
        const stepped = Array.from({length: fitting + 3}, () => chain.step('cd'.repeat(65), large))
        expect(chain.status().queue.bytes).to.equal(fitting * MESSAGE_BYTES_MAX)
        await Promise.all(stepped)
        expect(counts.steps).to.equal(fitting)
        expect(chain.status().queue.dropped).to.equal(3)
        await commitOneTx(chain)
      } finally {
        await chain.close()
      }
    })

    it('coalesces ticks that arrive while one waits', async () => {
      const chain = await open()
      try {
        await Promise.all(Array.from({length: 100}, () => chain.tick()))
        expect(counts.ticks).to.equal(1)
      } finally {
        await chain.close()
      }
    })
  })
})
