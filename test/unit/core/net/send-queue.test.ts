import {expect} from 'chai'
import {SendQueue} from '../../../../src/core/net/send-queue.js'

const message = (id: number, size = 1) => ({channel: 'tx', body: new Uint8Array(size).fill(id)})

describe('net/send-queue', () => {
  it('drops the oldest messages when the count limit is reached', () => {
    const queue = new SendQueue(3, 1_000)
    for (let id = 1; id <= 5; id++) queue.push(message(id))
    expect(queue.dropped).to.equal(2)
    expect([queue.shift(), queue.shift(), queue.shift()].map((item) => item?.body[0])).to.deep.equal([3, 4, 5])
    expect(queue.shift()).to.equal(undefined)
  })

  it('drops the oldest messages when the byte limit is reached and tracks bytes', () => {
    const queue = new SendQueue(100, 10)
    queue.push(message(1, 4))
    queue.push(message(2, 4))
    expect(queue.push(message(3, 4))).to.equal(1)
    expect(queue.bytes).to.equal(8)
    expect(queue.shift()?.body[0]).to.equal(2)
  })

  it('keeps FIFO order over many pushes and shifts (compaction)', () => {
    const queue = new SendQueue(5_000, 1 << 20)
    for (let id = 0; id < 3_000; id++) queue.push(message(id % 256))
    for (let id = 0; id < 3_000; id++) expect(queue.shift()?.body[0]).to.equal(id % 256)
    expect(queue.length).to.equal(0)
    expect(queue.bytes).to.equal(0)
  })

  it('counts cleared messages as dropped', () => {
    const queue = new SendQueue(10, 100)
    queue.push(message(1))
    queue.push(message(2))
    expect(queue.clear()).to.equal(2)
    expect(queue.dropped).to.equal(2)
    expect(queue.length).to.equal(0)
  })
})
