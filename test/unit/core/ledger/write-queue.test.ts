import {expect} from 'chai'
import {WriteQueue} from '../../../../src/core/ledger/write-queue.js'
import {rejectionOf} from './fixtures/helpers.js'

describe('core/ledger: write queue', function () {
  it('runs tasks one at a time in call order', async function () {
    const queue = new WriteQueue(8)
    const events: string[] = []
    const task = (name: string) => async () => {
      events.push(`start ${name}`)
      await new Promise((resolve) => setImmediate(resolve))
      events.push(`end ${name}`)
      return name
    }
    expect(await Promise.all([queue.run(task('a')), queue.run(task('b'))])).to.deep.equal(['a', 'b'])
    expect(events).to.deep.equal(['start a', 'end a', 'start b', 'end b'])
  })

  it('keeps running after a task that was refused, but not after a failed storage write', async function () {
    const queue = new WriteQueue(8)
    await queue.run(() => Promise.reject(new Error('precondition'))).then(
      () => expect.fail('the task should reject'),
      (error: Error) => expect(error.message).to.equal('precondition'),
    )
    expect(await queue.run(async () => 1)).to.equal(1)
    queue.fail(new Error('disk full'))
    const error = await rejectionOf(queue.run(async () => 2))
    expect(error.code).to.equal('STORAGE_ERROR')
    expect(error.message).to.contain('disk full')
  })

  it('bounds the number of queued writes', async function () {
    const queue = new WriteQueue(2)
    let release!: () => void
    const blocker = new Promise<void>((resolve) => (release = resolve))
    const first = queue.run(() => blocker)
    const second = queue.run(async () => undefined)
    expect((await rejectionOf(queue.run(async () => undefined))).code).to.equal('UNAVAILABLE')
    release()
    await Promise.all([first, second, queue.drained()])
    expect(await queue.run(async () => 'again')).to.equal('again')
  })
})
