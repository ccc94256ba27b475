/**
 * Reads and node operations need an identity, through the binary against a real node: an unsigned
 * `archive.run` is refused, the same signed by an auditor works and by a user is refused; a
 * cross-origin or `text/plain` POST is refused even when signed; a read over `--rpc` without a key
 * says how to sign; `--home` in a dev network signs as its auditor by itself.
 */
import {expect} from 'chai'
import {networkSigner, ok, Sandbox, signedHeaders, wichain} from './harness.js'

describe('e2e: signed requests for reads and node operations', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  const home = box.path('net', 'node0')
  const key = (role: string) => box.path('net', 'admin', `${role}.json`)
  let rpc: string

  before(async () => {
    rpc = (await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '1', '--consensus', 'solo', '--chain-id', 'wi-auth', '--base-port', '0', '--template', 'dev'])).nodes[0].rpc
    await ok(['node', 'start', '--home', home, '--detach'])
    for (const name of ['A-1', 'A-2', 'A-3']) {
      await ok(['tx', 'send', '--rpc', rpc, '--key', key('user'), '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: name, hash: 'c'.repeat(64)})])
    }
  })
  after(async () => {
    await ok(['node', 'stop', '--home', home]).catch(() => undefined)
    box.cleanup()
  })

  const archiveRun = JSON.stringify({jsonrpc: '2.0', id: 1, method: 'archive.run', params: {below: 2}})
  const post = (body: string, headers: Record<string, string>) => fetch(rpc, {method: 'POST', headers, body})

  it('an unsigned archive.run is refused with UNAUTHORIZED', async () => {
    const response = await post(archiveRun, {'content-type': 'application/json'})
    expect(response.status).to.equal(403)
    const reply = (await response.json()) as any
    expect(reply.error.data.code).to.equal('UNAUTHORIZED')
    expect(reply.error.message).to.match(/--key/)
  })

  it('archive run signed by a user is refused; signed by an auditor it runs', async () => {
    const byUser = await wichain(['archive', 'run', '--home', home, '--below', '2', '--key', key('user'), '--json'])
    expect(byUser.code).to.not.equal(0)
    expect(byUser.json.error.code).to.equal('UNAUTHORIZED')
    const byAuditor = await ok(['archive', 'run', '--home', home, '--below', '2', '--key', key('auditor')])
    expect(byAuditor).to.include({via: 'rpc', archivedBelow: 2})
  })

  it('a cross-origin or text/plain POST is refused even when signed by an auditor', async () => {
    const auditor = networkSigner(box.path('net'))
    const crossOrigin = await post(archiveRun, {'content-type': 'application/json', origin: 'http://attacker.example', ...signedHeaders(auditor, 'POST', rpc, archiveRun)})
    expect(crossOrigin.status).to.equal(403)
    expect(((await crossOrigin.json()) as any).error.data.code).to.equal('REQUEST_REFUSED')
    const plain = await post(archiveRun, {'content-type': 'text/plain', ...signedHeaders(auditor, 'POST', rpc, archiveRun)})
    expect(plain.status).to.equal(403)
    expect(((await plain.json()) as any).error.data.code).to.equal('REQUEST_REFUSED')
    const rebound = await fetch(rpc, {method: 'POST', headers: {'content-type': 'application/json', host: 'attacker.example'}, body: archiveRun})
    expect(rebound.status).to.equal(403)
  })

  it('a read over --rpc without a key says how to sign; with --key, or --home in a dev network, it is answered', async () => {
    const unsigned = await wichain(['block', 'get', 'latest', '--rpc', rpc, '--json'], {env: {WICHAIN_KEY: ''}})
    expect(unsigned.json.error.code).to.equal('UNAUTHORIZED')
    expect(unsigned.json.error.message).to.match(/--key FILE/)
    expect((await ok(['block', 'get', 'latest', '--rpc', rpc, '--key', key('user')])).height).to.be.at.least(3)
    expect((await ok(['block', 'get', 'latest', '--rpc', rpc], {env: {WICHAIN_KEY: key('auditor')}})).height).to.be.at.least(3)
    expect((await ok(['node', 'status', '--home', home])).running).to.equal(true)
    const list = await ok(['archive', 'list', '--home', home])
    expect(list.archivedBelow).to.equal(2)
  })
})
