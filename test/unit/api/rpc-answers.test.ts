import {expect} from 'chai'
import {RPC_LIMITS} from '../../../src/api/rpc.js'
import {rpcMethods, type RpcMethod} from '../../../src/api/methods.js'
import {METHOD_RESOURCES} from '../../../src/api/rpc-auth.js'
import {
  RPC_ANSWER_BYTES_MAX, RPC_BUFFERED_BODY_BYTES_MAX, RPC_CHAIN_BLOCKS_ANSWER_BYTES_MAX, RPC_REQUEST_BYTES_MAX, RPC_SMALL_REQUEST_BYTES_MAX,
  RPC_SMALL_REQUESTS_RESERVED_BYTES, SYNC_ANSWER_BYTES_MAX,
} from '../../../src/core/limits.js'
import {createSigner, readKeystoreFile} from '../../../src/core/crypto/index.js'
import {createTx} from '../../../src/core/types/tx.js'
import {WichainClient} from '../../../src/sdk/client.js'
import {parseMetricsText} from '../../../src/sdk/metrics-text.js'
import {CHAIN, post, RpcFixture, signedHeaders} from './rpc-fixture.js'

/** A value nested `depth` levels deep, built without recursion. */
function deep(depth: number): unknown {
  let value: unknown = 0
  for (let level = 0; level < depth; level++) value = [value]
  return value
}

const call = (id: unknown, method: string, params: Record<string, unknown> = {}) => ({jsonrpc: '2.0', id, method, params})

describe('api/rpc: every answer is bounded and has a body', function () {
  this.timeout(60_000)
  const fixture = new RpcFixture()
  let calls = 0
  const testMethods: Record<string, RpcMethod> = {
    ...rpcMethods,
    'test.kilobytes': (_node, params) => {
      calls += 1
      return 'x'.repeat(Number(params.kib) * 1024)
    },
    'test.deep': () => deep(200_000),
    'test.bigint': () => ({value: 1n}),
    'test.heavy': () => 'unused',
  }
  const resources = {...METHOD_RESOURCES, ...Object.fromEntries(Object.keys(testMethods).filter((name) => name.startsWith('test.')).map((name) => [name, 'chain.read']))}

  before(async () => {
    await fixture.start()
    const client = new WichainClient(`http://${fixture.running!.node.config.rpc.host}:${fixture.running!.node.config.rpc.port}/`, {signer: fixture.auditor})
    const signer = createSigner(readKeystoreFile(fixture.userKey, undefined))
    for (let index = 0; index < 3; index++) {
      const tx = createTx({chainId: CHAIN, contract: 'evidence', method: 'put', args: {key: `K-${index}`, hash: 'a'.repeat(64)}, expiry: 50}, signer)
      expect((await client.sendTx(tx, 10_000)).status).to.equal('ok')
    }
  })
  after(() => fixture.stop())

  it('keeps the limits in their relations', () => {
    expect(RPC_ANSWER_BYTES_MAX).to.be.at.least(2 * SYNC_ANSWER_BYTES_MAX)
    expect(RPC_CHAIN_BLOCKS_ANSWER_BYTES_MAX).to.be.at.most(RPC_ANSWER_BYTES_MAX)
    expect(RPC_SMALL_REQUEST_BYTES_MAX).to.be.at.most(RPC_SMALL_REQUESTS_RESERVED_BYTES)
    expect(RPC_REQUEST_BYTES_MAX).to.be.at.most(RPC_BUFFERED_BODY_BYTES_MAX - RPC_SMALL_REQUESTS_RESERVED_BYTES)
    expect(RPC_LIMITS.answerBytesMax).to.equal(RPC_ANSWER_BYTES_MAX)
  })

  it('a batch stops computing once its answer budget is used up: the rest get "answer budget exhausted"', async () => {
    const {url} = await fixture.server({methods: testMethods, resources, limits: {answerBytesMax: 64 * 1024}})
    calls = 0
    const reply = await post(url, JSON.stringify(Array.from({length: 100}, (_, id) => call(id, 'test.kilobytes', {kib: 10}))))
    expect(reply.status).to.equal(200)
    expect(reply.json).to.have.length(100)
    const served = reply.json.filter((answer: any) => answer.result !== undefined)
    expect(served).to.have.length(6)
    expect(reply.json.map((answer: any) => answer.id)).to.deep.equal(Array.from({length: 100}, (_, id) => id))
    const refused = reply.json.filter((answer: any) => answer.error !== undefined)
    expect(refused).to.have.length(94)
    for (const answer of refused) expect(answer.error).to.deep.include({message: 'answer budget exhausted'}).and.nested.include({'data.code': 'PAYLOAD_TOO_LARGE'})
    // Entries past the budget were never computed (one more ran and was refused after the fact).
    expect(calls).to.be.at.most(7)
  })

  it('chain.blocks fits the budget left (at least one block) and a batch of 100 × 64 blocks stays within it', async () => {
    const {url} = await fixture.server({limits: {answerBytesMax: 8 * 1024}})
    const one = await post(url, JSON.stringify(call(1, 'chain.blocks', {from: 1, count: 64})))
    expect(one.status).to.equal(200)
    expect(one.json.result.blocks.length).to.be.within(1, 3)
    expect(one.text.length).to.be.at.most(8 * 1024 + 4 * 1024)
    const batch = await post(url, JSON.stringify(Array.from({length: 100}, (_, id) => call(id, 'chain.blocks', {from: 1, count: 64}))))
    expect(batch.status).to.equal(200)
    expect(batch.json).to.have.length(100)
    expect(batch.text.length).to.be.below(8 * 1024 + 100 * 200)
    expect(batch.json[0].result.blocks.length).to.be.at.least(1)
    expect(batch.json.at(-1).error.data.code).to.equal('PAYLOAD_TOO_LARGE')
  })

  it('an answer that cannot be serialised is an INTERNAL error with HTTP 500 and a body', async () => {
    const {url} = await fixture.server({methods: testMethods, resources})
    for (const method of ['test.deep', 'test.bigint']) {
      const reply = await post(url, JSON.stringify(call(7, method)))
      expect(reply.status, method).to.equal(500)
      expect(reply.json).to.deep.include({jsonrpc: '2.0', id: 7})
      expect(reply.json.error.data.code).to.equal('INTERNAL')
    }
    const batch = await post(url, JSON.stringify([call(1, 'test.deep'), call(2, 'node.status')]))
    expect(batch.status).to.equal(200)
    expect(batch.json[0].error.data.code).to.equal('INTERNAL')
    expect(batch.json[1].result.name).to.equal('node0')
  })

  it('a 100k-deep id or params is refused with 400 and a JSON body, before parsing', async () => {
    const {url} = await fixture.server({})
    const depth = 100_000
    const deepId = `{"jsonrpc":"2.0","id":${'['.repeat(depth)}${']'.repeat(depth)},"method":"node.status"}`
    const reply = await post(url, deepId)
    expect(reply.status).to.equal(400)
    expect(reply.text.length).to.be.greaterThan(0)
    expect(reply.json.error.data.code).to.equal('DECODE_ERROR')
    const deepParams = `{"jsonrpc":"2.0","id":1,"method":"contract.query","params":{"args":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`
    expect((await post(url, deepParams)).json.error.data.code).to.equal('DECODE_ERROR')
    // Brackets inside strings do not count.
    const inString = await post(url, JSON.stringify(call('['.repeat(1000), 'node.status')))
    expect(inString.json.result.name).to.equal('node0')
  })

  it('an id that is not a string, number or null is an invalid request (400 alone, an error entry in a batch)', async () => {
    const {url} = await fixture.server({})
    for (const id of [{a: 1}, [1], true]) {
      const reply = await post(url, JSON.stringify(call(id, 'node.status')))
      expect(reply.status).to.equal(400)
      expect(reply.json).to.deep.include({id: null})
      expect(reply.json.error.data.code).to.equal('RPC_INVALID_REQUEST')
    }
    const batch = await post(url, JSON.stringify([call([1], 'node.status'), call('ok', 'node.status')]))
    expect(batch.json[0].error.data.code).to.equal('RPC_INVALID_REQUEST')
    expect(batch.json[1]).to.deep.include({id: 'ok'})
  })

  it('runs the heavy methods of a batch one at a time', async () => {
    let running = 0
    let most = 0
    const heavy: RpcMethod = async () => {
      running += 1
      most = Math.max(most, running)
      await new Promise((resolve) => setImmediate(resolve))
      running -= 1
      return 'done'
    }
    const {url} = await fixture.server({methods: {...rpcMethods, 'test.heavy': heavy}, resources})
    const reply = await post(url, JSON.stringify(Array.from({length: 20}, (_, id) => call(id, 'test.heavy'))))
    expect(reply.json.every((answer: any) => answer.result === 'done')).to.equal(true)
    expect(most).to.equal(1)
  })

  it('exports the logger\'s suppressed and dropped line counts as Prometheus counters', async () => {
    const logStats = {linesWritten: 10, linesSuppressed: 9_995, linesDropped: 3}
    const {url} = await fixture.server({logStats})
    const read = async () => parseMetricsText(await (await fetch(new URL('/metrics', url), {headers: signedHeaders(fixture.auditor!, 'GET', new URL('/metrics', url).href, '')})).text()).samples
    const value = (samples: Awaited<ReturnType<typeof read>>, name: string) => samples.find((sample) => sample.name === name)?.value
    expect(value(await read(), 'wichain_log_lines_suppressed_total')).to.equal(9_995)
    logStats.linesDropped = 5
    expect(value(await read(), 'wichain_log_lines_dropped_total')).to.equal(5)
  })
})
