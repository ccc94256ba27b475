import {expect} from 'chai'
import {RPC_LIMITS} from '../../../src/api/rpc.js'
import {post, RpcFixture, slowUpload, type SlowUpload} from './rpc-fixture.js'

const KiB = 1024

/** Polls until `condition` holds (fails after `timeoutMs`). */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('api/rpc: request bodies share one node-wide memory cap', function () {
  this.timeout(60_000)
  const fixture = new RpcFixture()
  const uploads: SlowUpload[] = []
  before(() => fixture.start())
  afterEach(() => {
    for (const upload of uploads.splice(0)) upload.socket.destroy()
  })
  after(() => fixture.stop())

  // 1 MiB buffered at most; large bodies (over 16 KiB) may use 1 MiB − 128 KiB = 896 KiB of it.
  const limits = {bufferedBodyBytesMax: 1024 * KiB, requestBytesMax: 256 * KiB, smallRequestBytesMax: 16 * KiB, smallRequestsReservedBytes: 128 * KiB}

  it('refuses slow uploads beyond the cap with 503 while a small call is still answered', async () => {
    const {url, port} = await fixture.server({limits})
    const statuses: Array<number | undefined> = []
    for (let index = 0; index < 20; index++) {
      const upload = slowUpload(port, {'content-length': 200 * KiB}, '[{"jsonrpc":"2.0",')
      uploads.push(upload)
      void upload.status.then((status) => statuses.push(status))
    }
    // 4 × 200 KiB fit under 896 KiB; the other 16 are refused at once, the 4 stay open.
    await until(() => statuses.filter((status) => status === 503).length === 16, '16 refusals')
    const small = await post(url, JSON.stringify({jsonrpc: '2.0', id: 1, method: 'node.status'}))
    expect(small.status).to.equal(200)
    expect(small.json.result.name).to.equal('node0')
    expect(statuses.filter((status) => status !== 503)).to.deep.equal([])
    // Closing the held uploads gives their bytes back: a large call fits again.
    for (const upload of uploads.splice(0)) upload.socket.destroy()
    const large = JSON.stringify({jsonrpc: '2.0', id: 2, method: 'node.status', params: {pad: 'x'.repeat(150 * KiB)}})
    let answered: {status: number} | undefined
    const deadline = Date.now() + 10_000
    while ((answered = await post(url, large)).status === 503 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(answered?.status).to.equal(200)
  })

  it('counts bodies without a content-length as they arrive (chunked uploads)', async () => {
    const {port} = await fixture.server({limits})
    const statuses: Array<number | undefined> = []
    for (let index = 0; index < 10; index++) {
      const upload = slowUpload(port, {'transfer-encoding': 'chunked'}, '')
      uploads.push(upload)
      void upload.status.then((status) => statuses.push(status))
    }
    // Each sends 100 KiB in chunks: 8 fit under the large-body ceiling (896 KiB), 2 are refused.
    const piece = 'x'.repeat(20 * KiB)
    for (let round = 0; round < 5; round++) {
      for (const upload of uploads) upload.socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`)
    }
    await until(() => statuses.length >= 2, 'refusals')
    expect(statuses).to.deep.equal([503, 503])
  })

  it('answers 413 with a body for a request over the per-request limit, declared or not', async () => {
    const {url} = await fixture.server({limits})
    const reply = await post(url, JSON.stringify({jsonrpc: '2.0', id: 1, method: 'node.status', params: {pad: 'x'.repeat(300 * KiB)}}))
    expect(reply.status).to.equal(413)
    expect(reply.json.error.data.code).to.equal('PAYLOAD_TOO_LARGE')
  })

  it('cuts an upload that does not finish in time, and caps connections', async () => {
    expect(RPC_LIMITS.headersTimeoutMs).to.be.at.most(30_000)
    expect(RPC_LIMITS.requestTimeoutMs).to.be.at.most(120_000)
    const {port} = await fixture.server({limits: {...limits, headersTimeoutMs: 200, requestTimeoutMs: 400, connectionsMax: 2}})
    const first = slowUpload(port, {'content-length': 100}, '{')
    const second = slowUpload(port, {'content-length': 100}, '{')
    uploads.push(first, second)
    await until(async () => (await fixture.connections()) === 2, 'two connections')
    // A third connection is closed at once, unanswered.
    const third = slowUpload(port, {'content-length': 2}, '{}')
    uploads.push(third)
    expect(await third.status).to.equal(undefined)
    // The two never finish: the server answers 408 (or closes) once the request timeout passes.
    for (const status of await Promise.all([first.status, second.status])) expect(status === 408 || status === undefined).to.equal(true)
  })
})
