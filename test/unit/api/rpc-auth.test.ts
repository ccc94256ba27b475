import {expect} from 'chai'
import {randomBytes} from 'node:crypto'
import {rpcMethods} from '../../../src/api/methods.js'
import {checkHttpRequest, GET_RESOURCES, httpPolicyOf, isLoopbackHost, METHOD_RESOURCES} from '../../../src/api/rpc-auth.js'
import {signRequest} from '../../../src/core/authz/request.js'
import {DEFAULT_RESOURCES} from '../../../src/core/authz/resources.js'
import {createSigner, readKeystoreFile} from '../../../src/core/crypto/index.js'
import {WichainError} from '../../../src/core/errors.js'
import {homePath} from '../../../src/core/node/home.js'
import {post, RpcFixture, signedHeaders} from './rpc-fixture.js'

const call = (method: string, params: Record<string, unknown> = {}) => JSON.stringify({jsonrpc: '2.0', id: 1, method, params})

function refusal(method: string, headers: Record<string, string>): string | undefined {
  try {
    checkHttpRequest(method, headers, httpPolicyOf({host: '127.0.0.1', port: 26600}))
  } catch (error) {
    return (error as WichainError).code
  }
  return undefined
}

describe('api/rpc-auth: every method is a resource', () => {
  it('the table names exactly the served methods, each with a known resource; only tx.send is open', () => {
    expect(Object.keys(METHOD_RESOURCES).sort()).to.deep.equal(Object.keys(rpcMethods).sort())
    for (const [method, resource] of Object.entries(METHOD_RESOURCES)) {
      if (method === 'tx.send') expect(resource).to.equal(null)
      else expect(DEFAULT_RESOURCES, method).to.have.property(resource!)
    }
    expect(METHOD_RESOURCES).to.deep.equal({
      'tx.send': null,
      'tx.wait': 'chain.read', 'tx.get': 'chain.read', 'tx.proof': 'chain.read', 'block.get': 'chain.read', 'chain.status': 'chain.read',
      'contract.query': 'chain.read', 'cert.check': 'chain.read',
      'node.status': 'metrics.read',
      'chain.blocks': 'backup.create',
      'archive.run': 'archive.run', 'archive.restore': 'archive.run', 'archive.list': 'archive.run',
    })
    expect(GET_RESOURCES).to.deep.equal({'/health': null, '/metrics': 'metrics.read'})
  })
})

describe('api/rpc-auth: what a web page could send is refused (Host, Origin, content type)', () => {
  const json = {'content-type': 'application/json'}
  const cases: Array<[string, string, Record<string, string>, string | undefined]> = [
    ['the node\'s own address', 'POST', {host: '127.0.0.1:26600', ...json}, undefined],
    ['localhost', 'POST', {host: 'localhost:26600', ...json}, undefined],
    ['[::1]', 'POST', {host: '[::1]:26600', ...json}, undefined],
    ['a charset parameter', 'POST', {host: '127.0.0.1:26600', 'content-type': 'application/json; charset=utf-8'}, undefined],
    ['its own origin', 'POST', {host: '127.0.0.1:26600', origin: 'http://127.0.0.1:26600', ...json}, undefined],
    ['a rebinding name (DNS rebinding)', 'POST', {host: 'attacker.example:26600', ...json}, 'REQUEST_REFUSED'],
    ['another port', 'POST', {host: '127.0.0.1:8080', ...json}, 'REQUEST_REFUSED'],
    ['no Host', 'POST', {...json}, 'REQUEST_REFUSED'],
    ['a foreign Origin', 'POST', {host: '127.0.0.1:26600', origin: 'http://attacker.example', ...json}, 'REQUEST_REFUSED'],
    ['Origin null (sandboxed page)', 'POST', {host: '127.0.0.1:26600', origin: 'null', ...json}, 'REQUEST_REFUSED'],
    ['text/plain (a CSRF simple request)', 'POST', {host: '127.0.0.1:26600', 'content-type': 'text/plain'}, 'REQUEST_REFUSED'],
    ['a form post', 'POST', {host: '127.0.0.1:26600', 'content-type': 'application/x-www-form-urlencoded'}, 'REQUEST_REFUSED'],
    ['no content type', 'POST', {host: '127.0.0.1:26600'}, 'REQUEST_REFUSED'],
    ['a GET without content type', 'GET', {host: '127.0.0.1:26600'}, undefined],
  ]
  for (const [what, method, headers, code] of cases) {
    it(`${what}: ${code ?? 'accepted'}`, () => expect(refusal(method, headers)).to.equal(code))
  }

  it('configured names are accepted; loopback is recognised', () => {
    const policy = httpPolicyOf({host: '0.0.0.0', port: 1, hosts: ['Node1.Example']})
    expect(() => checkHttpRequest('GET', {host: 'node1.example:1'}, policy)).not.to.throw()
    expect(isLoopbackHost('127.0.0.2')).to.equal(true)
    expect(isLoopbackHost('[::1]')).to.equal(true)
    expect(isLoopbackHost('0.0.0.0')).to.equal(false)
    expect(isLoopbackHost('10.0.0.1')).to.equal(false)
  })
})

describe('api/rpc: reads and node operations need a signed request from an allowed account', function () {
  this.timeout(60_000)
  const fixture = new RpcFixture()
  let url: string
  before(async () => {
    await fixture.start()
    url = `http://127.0.0.1:${fixture.running!.node.config.rpc.port}/`
  })
  after(() => fixture.stop())

  it('an unsigned read or node operation is UNAUTHORIZED (403) saying to sign; tx.send and /health stay open', async () => {
    for (const method of ['archive.run', 'block.get', 'node.status']) {
      const reply = await post(url, call(method, {below: 1}), {signer: null})
      expect(reply.status, method).to.equal(403)
      expect(reply.json.error.data.code).to.equal('UNAUTHORIZED')
      expect(reply.json.error.message).to.match(/--key/)
    }
    const send = await post(url, call('tx.send', {tx: '00'}), {signer: null})
    expect(send.json.error.data.code).not.to.equal('UNAUTHORIZED')
    expect((await fetch(new URL('/health', url))).status).to.equal(200)
  })

  it('an auditor may list the archive (paths relative to the home) and read; a user may read but not run archive or read metrics', async () => {
    const listed = await post(url, call('archive.list'), {signer: fixture.auditor})
    expect(listed.json.result.directory).to.be.a('string').and.not.match(/^\//)
    expect((await post(url, call('block.get', {height: 'latest'}), {signer: fixture.user})).json.result.height).to.be.a('number')
    for (const method of ['archive.run', 'node.status', 'chain.blocks']) {
      const refused = await post(url, call(method, {below: 1, from: 1, count: 1}), {signer: fixture.user})
      expect(refused.status, method).to.equal(403)
      expect(refused.json.error.data.code).to.equal('UNAUTHORIZED')
      expect(refused.json.error.data.details.resource).to.be.a('string')
    }
  })

  it('a batch is authorised call by call', async () => {
    const body = JSON.stringify([{jsonrpc: '2.0', id: 1, method: 'chain.status'}, {jsonrpc: '2.0', id: 2, method: 'archive.list'}])
    const reply = await post(url, body, {signer: fixture.user})
    expect(reply.json[0].result.height).to.be.a('number')
    expect(reply.json[1].error.data.code).to.equal('UNAUTHORIZED')
  })

  it('a replayed signed request is REQUEST_REPLAYED (401), a stale one REQUEST_EXPIRED, one for another host refused', async () => {
    const body = call('chain.status')
    const headers = signedHeaders(fixture.auditor!, 'POST', url, body)
    expect((await post(url, body, {signer: null, headers})).status).to.equal(200)
    const replay = await post(url, body, {signer: null, headers})
    expect(replay.status).to.equal(401)
    expect(replay.json.error.data.code).to.equal('REQUEST_REPLAYED')
    const parts = {method: 'POST', path: '/', host: new URL(url).host, body: Buffer.from(body)}
    const stale = signRequest(fixture.auditor!, parts, Date.now() - 5 * 60_000, new Uint8Array(randomBytes(16)))
    const staleReply = await post(url, body, {signer: null, headers: stale})
    expect(staleReply.status).to.equal(401)
    expect(staleReply.json.error.data.code).to.equal('REQUEST_EXPIRED')
    const elsewhere = signRequest(fixture.auditor!, {...parts, host: 'localhost:1'}, Date.now(), new Uint8Array(randomBytes(16)))
    expect((await post(url, body, {signer: null, headers: elsewhere})).json.error.data.code).to.equal('UNAUTHORIZED')
    // Altering the signed timestamp breaks the signature.
    const signed = signedHeaders(fixture.auditor!, 'POST', url, body)
    const moved = {...signed, 'x-wichain-timestamp': String(Number(signed['x-wichain-timestamp']) - 1)}
    expect((await post(url, body, {signer: null, headers: moved})).json.error.data.code).to.equal('UNAUTHORIZED')
  })

  it('a cross-origin or text/plain POST is refused even when signed by an allowed account', async () => {
    const crossOrigin = await post(url, call('archive.list'), {headers: {origin: 'http://attacker.example'}})
    expect(crossOrigin.status).to.equal(403)
    expect(crossOrigin.json.error.data.code).to.equal('REQUEST_REFUSED')
    const plain = await post(url, call('archive.list'), {headers: {'content-type': 'text/plain'}})
    expect(plain.status).to.equal(403)
    expect(plain.json.error.data.code).to.equal('REQUEST_REFUSED')
  })

  it('GET /metrics needs metrics.read: unsigned 403, the node\'s own key (its operator) and an auditor are served', async () => {
    const metrics = new URL('/metrics', url).href
    expect((await fetch(metrics)).status).to.equal(403)
    expect((await fetch(metrics, {headers: signedHeaders(fixture.user!, 'GET', metrics, '')})).status).to.equal(403)
    expect((await fetch(metrics, {headers: signedHeaders(fixture.auditor!, 'GET', metrics, '')})).status).to.equal(200)
    const nodeKey = createSigner(readKeystoreFile(homePath(fixture.running!.node.home, 'nodeKey')))
    expect((await fetch(metrics, {headers: signedHeaders(nodeKey, 'GET', metrics, '')})).status).to.equal(200)
    // The node's key reads status, not the chain.
    expect((await post(url, call('node.status'), {signer: nodeKey})).status).to.equal(200)
    expect((await post(url, call('block.get'), {signer: nodeKey})).json.error.data.code).to.equal('UNAUTHORIZED')
  })
})
