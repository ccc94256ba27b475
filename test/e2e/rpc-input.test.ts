/**
 * Bad input over JSON-RPC gets a clear code and never disturbs the chain: malformed bodies and
 * txs, forged signatures, wrong chain id, expired and replayed txs, oversize requests, deep JSON,
 * and a small batch asking for far more answer bytes than a node may hold.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {toHex} from '../../src/core/bytes.js'
import {encodeCanonical} from '../../src/core/codec/canonical.js'
import {RPC_ANSWER_BYTES_MAX} from '../../src/core/limits.js'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import {createTx, txToDocument, type Tx} from '../../src/core/types/tx.js'
import {WichainClient} from '../../src/sdk/client.js'
import {networkClient, networkSigner, ok, Sandbox, signedHeaders} from './harness.js'

describe('e2e: JSON-RPC refuses bad input with clear codes', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  let client: WichainClient
  let url: string
  let signer: Signer
  const hash = 'b'.repeat(64)

  before(async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--chain-id', 'wi-rpc', '--base-port', '0', '--template', 'dev'])
    await ok(['node', 'start', '--home', box.path('net', 'node0'), '--detach'])
    url = init.nodes[0].rpc
    client = networkClient(url, box.path('net'))
    signer = createSigner(await readKeystoreFile(box.path('net', 'admin', 'user.json')))
  })

  after(async () => {
    await ok(['node', 'stop', '--home', box.path('net', 'node0')]).catch(() => undefined)
    box.cleanup()
  })

  const evidenceTx = (key: string, overrides: {chainId?: string; expiry?: number} = {}): Tx =>
    createTx({chainId: overrides.chainId ?? 'wi-rpc', contract: 'evidence', method: 'put', args: {key, hash}, expiry: overrides.expiry ?? 500}, signer)

  async function rpcError(method: string, params: Record<string, unknown>): Promise<string> {
    try {
      await client.call(method, params)
    } catch (error) {
      return (error as {code: string}).code
    }
    throw new Error(`${method} unexpectedly succeeded`)
  }

  async function raw(body: string): Promise<{status: number; json: any}> {
    const response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...signedHeaders(networkSigner(box.path('net')), 'POST', url, body)}, body})
    return {status: response.status, json: await response.json()}
  }

  /** A figure (kB) of the node process's /proc/<pid>/status: VmRSS now, VmHWM its peak so far. */
  function nodeMemoryKb(field: 'VmRSS' | 'VmHWM'): number {
    const pid = Number.parseInt(readFileSync(box.path('net', 'node0', 'node.pid'), 'utf8'), 10)
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    if (match === null) throw new Error(`no ${field} for pid ${pid}`)
    return Number(match[1])
  }

  it('refuses a body that is not JSON, not JSON-RPC, or an unknown method', async () => {
    expect((await raw('{not json')).json.error).to.include({code: -32700})
    expect((await raw('{"id":1,"method":"node.status"}')).json.error.data.code).to.equal('RPC_INVALID_REQUEST')
    expect(await rpcError('no.such', {})).to.equal('RPC_METHOD_NOT_FOUND')
    const tooMany = JSON.stringify(Array.from({length: 101}, (_, id) => ({jsonrpc: '2.0', id, method: 'node.status'})))
    expect((await raw(tooMany)).json.error.data.code).to.equal('RPC_INVALID_REQUEST')
  })

  it('refuses an oversize request', async () => {
    const huge = JSON.stringify({jsonrpc: '2.0', id: 1, method: 'tx.send', params: {tx: 'ab'.repeat(3 * 1024 * 1024)}})
    const reply = await raw(huge)
    expect(reply.status).to.equal(413)
    expect(reply.json.error.data.code).to.equal('PAYLOAD_TOO_LARGE')
  })

  it('refuses malformed tx bytes', async () => {
    expect(await rpcError('tx.send', {tx: 'zz'})).to.equal('INVALID_ARGUMENT')
    expect(await rpcError('tx.send', {tx: 'deadbeef'})).to.equal('DECODE_ERROR')
    const valid = evidenceTx('shape')
    const extraField = encodeCanonical({...txToDocument(valid), extra: 1})
    expect(await rpcError('tx.send', {tx: toHex(extraField)})).to.equal('DECODE_ERROR')
  })

  it('refuses a forged signature, a wrong chain id and an expired tx', async () => {
    const valid = evidenceTx('forged')
    const signature = new Uint8Array(valid.signature)
    signature[10]! ^= 0x01
    const forged = encodeCanonical({...txToDocument(valid), signature})
    expect(await rpcError('tx.send', {tx: toHex(forged)})).to.equal('BAD_SIGNATURE')
    expect(await rpcError('tx.send', {tx: toHex(evidenceTx('other', {chainId: 'wi-other'}).bytes)})).to.equal('WRONG_CHAIN')
    expect(await rpcError('tx.send', {tx: toHex(evidenceTx('old', {expiry: 0}).bytes)})).to.equal('TX_EXPIRED')
    expect(await rpcError('tx.send', {tx: toHex(evidenceTx('far', {expiry: 1_000_000}).bytes)})).to.equal('TX_EXPIRED')
  })

  it('refuses a replayed tx, pending or committed, and keeps committing', async () => {
    const tx = evidenceTx('replay')
    const first = await client.sendTx(tx, 20_000)
    expect(first.status).to.equal('ok')
    expect(await rpcError('tx.send', {tx: toHex(tx.bytes)})).to.equal('DUPLICATE_TX')
    const next = await client.sendTx(evidenceTx('after-replay'), 20_000)
    expect(next.status).to.equal('ok')
    expect(next.height).to.be.greaterThan(first.height!)
    const stored = await client.query('evidence', 'get', {key: 'replay'})
    expect(stored.result).to.include({key: 'replay', hash, txHash: tx.hashHex})
  })

  it('refuses a 100k-deep id with 400 and a JSON body', async () => {
    const depth = 100_000
    const body = `{"jsonrpc":"2.0","id":${'['.repeat(depth)}${']'.repeat(depth)},"method":"node.status"}`
    const response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...signedHeaders(networkSigner(box.path('net')), 'POST', url, body)}, body})
    expect(response.status).to.equal(400)
    const text = await response.text()
    expect(text.length).to.be.greaterThan(0)
    expect(JSON.parse(text).error.data.code).to.equal('DECODE_ERROR')
    expect((await client.status()).running).to.equal(true)
  })

  it('answers a 9 KB batch of 100 × chain.blocks{count: 64} quickly, within its answer budget and bounded memory', async () => {
    // ~3 MB of blocks: 48 txs with 60 KB of args each (the contract refuses the extra field; the
    // txs are committed with failed receipts, which is all that matters here).
    const pad = 'p'.repeat(60_000)
    const txs = Array.from({length: 48}, (_, index) =>
      createTx({chainId: 'wi-rpc', contract: 'evidence', method: 'put', args: {key: `big-${index}`, hash, pad}, expiry: 500}, signer))
    for (let offset = 0; offset < txs.length; offset += 16) {
      const batch = txs.slice(offset, offset + 16).map((tx, id) => ({jsonrpc: '2.0', id, method: 'tx.send', params: {tx: toHex(tx.bytes)}}))
      const sent = await raw(JSON.stringify(batch))
      expect(sent.json.filter((answer: any) => answer.error !== undefined)).to.deep.equal([])
    }
    await client.waitTx(txs.at(-1)!.hashHex, 30_000)
    const rssBeforeKb = nodeMemoryKb('VmRSS')
    const body = JSON.stringify(Array.from({length: 100}, (_, id) => ({jsonrpc: '2.0', id, method: 'chain.blocks', params: {from: 1, count: 64}})))
    expect(body.length).to.be.below(10_000)
    const started = Date.now()
    const response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...signedHeaders(networkSigner(box.path('net')), 'POST', url, body)}, body, signal: AbortSignal.timeout(60_000)})
    const text = await response.text()
    const elapsedMs = Date.now() - started
    expect(response.status).to.equal(200)
    expect(text.length).to.be.greaterThan(0)
    const answers = JSON.parse(text) as any[]
    expect(answers).to.have.length(100)
    expect(answers[0].result.blocks.length).to.be.at.least(1)
    // The whole answer stays within one request's budget; what did not fit was refused, uncomputed.
    expect(text.length).to.be.at.most(RPC_ANSWER_BYTES_MAX)
    for (const answer of answers) {
      if (answer.error !== undefined) expect(answer.error).to.deep.include({message: 'answer budget exhausted'}).and.nested.include({'data.code': 'PAYLOAD_TOO_LARGE'})
      else expect(answer.result.blocks.length).to.be.at.least(1)
    }
    expect(elapsedMs).to.be.below(15_000)
    // The peak resident size while answering stayed within 300 MB of what the node used before.
    expect(nodeMemoryKb('VmHWM') - rssBeforeKb).to.be.below(300 * 1024)
    // And the node keeps serving.
    const blocks = await client.committedBlocks(1, 64)
    expect(blocks.blocks.length).to.be.at.least(1)
  })
})
