/**
 * The foundation, end to end through the binary: keys checked by OpenSSL, a one-node chain,
 * evidence txs, restart without loss, certificates verified offline, tampering rejected.
 */
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {ok, Sandbox, wichain} from './harness.js'

describe('e2e: foundation (one-node solo chain)', function () {
  this.timeout(180_000)
  const box = new Sandbox()
  let rpc: string
  const home = box.path('net', 'node0')
  const userKey = box.path('net', 'admin', 'user.json')
  const hash = 'a'.repeat(64)

  after(() => box.cleanup())

  it('generates a key whose signatures OpenSSL verifies, and verifies them itself', async () => {
    const key = await ok(['key', 'gen', '--plaintext', '--out', box.path('alice.json')])
    expect(key.publicKey).to.match(/^04[0-9a-f]{128}$/)
    expect(key.address).to.match(/^[0-9a-f]{40}$/)
    await ok(['key', 'export', '--key', box.path('alice.json'), '--format', 'pem', '--out', box.path('alice.pem')])
    writeFileSync(box.path('msg.txt'), '工伤认定决定书 2026-001\n')
    await ok(['key', 'sign', '--key', box.path('alice.json'), '--in', box.path('msg.txt'), '--out', box.path('msg.sig')])
    const opensslOut = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', box.path('alice.pem'), '-rawin', '-in', box.path('msg.txt'), '-sigfile', box.path('msg.sig'), '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678']).toString()
    expect(opensslOut).to.match(/Signature Verified Successfully/)
    const verified = await ok(['key', 'verify', '--pub', box.path('alice.pem'), '--in', box.path('msg.txt'), '--sig', box.path('msg.sig')])
    expect(verified.valid).to.equal(true)
    writeFileSync(box.path('msg.txt'), '工伤认定决定书 2026-002\n')
    const tampered = await wichain(['key', 'verify', '--pub', box.path('alice.pem'), '--in', box.path('msg.txt'), '--sig', box.path('msg.sig'), '--json'])
    expect(tampered.code).to.equal(5)
    expect(tampered.json.error.code).to.equal('VERIFICATION_FAILED')
  })

  it('inits and starts a one-node chain', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '1', '--consensus', 'solo', '--chain-id', 'wi-e2e', '--base-port', '0', '--template', 'dev'])
    expect(init.chainId).to.equal('wi-e2e')
    expect(init.nodes).to.have.length(1)
    expect(Object.keys(init.admin)).to.have.members(['orgadmin', 'auditor', 'user', 'devops'])
    rpc = init.nodes[0].rpc
    const started = await ok(['node', 'start', '--home', home, '--detach'])
    expect(started.running).to.equal(true)
    const status = await ok(['node', 'status', '--home', home])
    expect(status.chains[0]).to.include({chainId: 'wi-e2e', height: 0, consensus: 'solo'})
  })

  let txHash: string
  it('commits evidence txs and refuses a second put of the same key', async () => {
    const sent = await ok(['tx', 'send', '--rpc', rpc, '--key', userKey, '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'INJ-2026-001', hash, meta: {type: 'injury-determination'}})])
    expect(sent.status).to.equal('ok')
    expect(sent.height).to.be.at.least(1)
    txHash = sent.txHash
    const again = await wichain(['tx', 'send', '--rpc', rpc, '--key', userKey, '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'INJ-2026-001', hash}), '--json'])
    expect(again.code).to.equal(7)
    expect(again.json.error.code).to.equal('ALREADY_EXISTS')
    expect(again.json.error.details.txHash).to.match(/^[0-9a-f]{64}$/)
    const got = await ok(['tx', 'get', txHash, '--rpc', rpc, '--key', userKey])
    expect(got).to.include({txHash, status: 'ok', height: sent.height})
    expect(got.tx.args).to.deep.equal({key: 'INJ-2026-001', hash, meta: {type: 'injury-determination'}})
    const block = await ok(['block', 'get', 'latest', '--home', home])
    expect(block.height).to.be.at.least(sent.height)
    expect(block.certificate.kind).to.equal('solo')
  })

  it('refuses txs from an unregistered key and from a role without permission', async () => {
    const stranger = await wichain(['tx', 'send', '--rpc', rpc, '--key', box.path('alice.json'), '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'X', hash}), '--json'])
    expect(stranger.code).to.equal(4)
    expect(stranger.json.error.code).to.equal('UNAUTHORIZED')
    const auditor = await wichain(['tx', 'send', '--rpc', rpc, '--key', box.path('net', 'admin', 'auditor.json'), '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'Y', hash}), '--json'])
    expect(auditor.code).to.equal(4)
    expect(auditor.json.error.code).to.equal('UNAUTHORIZED')
  })

  it('exports a certificate that verifies offline, and rejects a tampered one', async () => {
    const proof = await ok(['tx', 'proof', txHash, '--rpc', rpc, '--key', userKey, '--out', box.path('cert.json')])
    expect(proof.txHash).to.equal(txHash)
    const verified = await ok(['cert', 'verify', box.path('cert.json'), '--genesis', box.path('net', 'genesis.json')])
    expect(verified).to.include({valid: true, txHash, status: 'ok'})
    const cert = JSON.parse(readFileSync(box.path('cert.json'), 'utf8'))
    const flipped = cert.receipt.slice(0, -2) + (cert.receipt.endsWith('00') ? '01' : '00')
    writeFileSync(box.path('tampered.json'), JSON.stringify({...cert, receipt: flipped}))
    const tampered = await wichain(['cert', 'verify', box.path('tampered.json'), '--genesis', box.path('net', 'genesis.json'), '--json'])
    expect(tampered.code).to.equal(5)
    expect(tampered.json.error.code).to.equal('VERIFICATION_FAILED')
  })

  it('keeps everything across a stop and restart', async () => {
    const before = await ok(['node', 'status', '--home', home])
    const stopped = await ok(['node', 'stop', '--home', home])
    expect(stopped.stopped).to.equal(true)
    const down = await ok(['node', 'status', '--home', home])
    expect(down.running).to.equal(false)
    await ok(['node', 'start', '--home', home, '--detach'])
    const after = await ok(['node', 'status', '--home', home])
    expect(after.chains[0].height).to.equal(before.chains[0].height)
    expect(after.chains[0].headHash).to.equal(before.chains[0].headHash)
    const got = await ok(['tx', 'get', txHash, '--home', home])
    expect(got.status).to.equal('ok')
    const next = await ok(['tx', 'send', '--home', home, '--key', userKey, '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'INJ-2026-002', hash})])
    expect(next.height).to.equal(before.chains[0].height + 1)
    await ok(['node', 'stop', '--home', home])
  })

  it('answers usage errors with exit 2 and a JSON error', async () => {
    const result = await wichain(['tx', 'send', '--rpc', 'http://127.0.0.1:1', '--json'])
    expect(result.code).to.equal(2)
    expect(result.json.error.code).to.equal('USAGE')
  })
})
