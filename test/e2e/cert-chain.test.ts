/**
 * `tx proof` / `cert verify` after `node add` on a running 4-node PBFT network: a fifth validator
 * joins, node3 stops, so the next block is signed by a quorum that includes the new node. Its
 * certificate carries the membership chain and verifies offline against the genesis file; the
 * same certificate without the chain (format 1) fails.
 */
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {createSigner, readKeystoreFile} from '../../src/core/crypto/index.js'
import {createTx} from '../../src/core/types/tx.js'
import {fromHex} from '../../src/core/bytes.js'
import {decodeCertificate} from '../../src/core/types/certificate.js'
import {createJoiningHome} from './joining-home.js'
import {networkClient, ok, Sandbox, waitFor, wichain} from './harness.js'

describe('e2e: tx certificates across node-set changes', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  after(() => box.cleanup())

  it('verifies a certificate signed by a validator added after genesis', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', 'pbft', '--chain-id', 'wi-cert', '--base-port', '0', '--template', 'dev'])
    const homes = [0, 1, 2, 3].map((index) => box.path('net', `node${index}`))
    await Promise.all(homes.map((home) => ok(['node', 'start', '--home', home, '--detach'])))
    const genesis = box.path('net', 'node0', 'genesis.json')

    const joining = await createJoiningHome(homes[0]!, box.path('net', 'node4'), 'node4')
    const added = await ok(['node', 'add', '--rpc', init.nodes[0].rpc, '--key', box.path('net', 'admin', 'orgadmin.json'), '--public-key', joining.publicKey, '--name', 'node4', '--address', joining.p2p])
    await ok(['node', 'start', '--home', box.path('net', 'node4'), '--detach'])
    const newcomer = networkClient(joining.rpc, box.path('net'))
    await waitFor(async () => (await newcomer.chainStatus()).height >= added.height, 60_000, 'node4 to sync')

    // Five validators, quorum four: with node3 stopped, no block commits without node4's vote.
    await ok(['node', 'stop', '--home', homes[3]!])
    const client = networkClient(init.nodes[1].rpc, box.path('net'))
    const signer = createSigner(readKeystoreFile(box.path('net', 'admin', 'user.json')))
    const status = await client.chainStatus()
    const tx = createTx({chainId: 'wi-cert', contract: 'evidence', method: 'put', args: {key: 'after-add', hash: '7'.repeat(64)}, expiry: status.height + 500}, signer)
    expect((await client.sendTx(tx, 30_000)).status).to.equal('ok')

    const file = box.path('after-add.cert.json')
    await ok(['tx', 'proof', tx.hashHex, '--key', box.path('net', 'admin', 'auditor.json'), '--rpc', init.nodes[1].rpc, '--out', file])
    const document = JSON.parse(readFileSync(file, 'utf8'))
    const signers = decodeCertificate(fromHex(document.certificate)).signatures.map((signature) => signature.signer)
    expect(signers).to.include(joining.publicKey)
    expect(document.membership.map((link: {height: number}) => link.height)).to.deep.equal([added.height])

    const check = await ok(['cert', 'verify', file, '--genesis', genesis])
    expect(check).to.deep.include({valid: true, txHash: tx.hashHex, membershipChanges: 1})

    // The same certificate read the old way (genesis validators only) fails closed.
    const legacy = box.path('legacy.cert.json')
    writeFileSync(legacy, JSON.stringify({...document, format: 'wichain-tx-certificate/1', membership: undefined}))
    const refused = await wichain(['cert', 'verify', legacy, '--genesis', genesis, '--json'])
    expect(refused.code).to.not.equal(0)
    expect(refused.stdout + refused.stderr).to.match(/VERIFICATION_FAILED[\s\S]*is not a validator/)
  })
})
