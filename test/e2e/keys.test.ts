/**
 * Keystores are encrypted unless the operator says otherwise: `key gen` and `chain init` refuse
 * without --password-file unless --plaintext is given, and every keystore written in clear is
 * announced (a `Warning:` line on stderr, a `warnings` field in --json) — `up`'s dev network
 * included, once, when it lays out the network. stdout stays one JSON document throughout.
 */
import {expect} from 'chai'
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {ok, Sandbox, wichain} from './harness.js'

const cipherOf = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as {crypto: {cipher: string}}).crypto.cipher

describe('e2e: keystores are encrypted by default; plaintext ones are announced', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  after(() => box.cleanup())
  before(() => writeFileSync(box.path('pw.txt'), 'a long enough passphrase\n'))

  it('key gen refuses without --password-file or --plaintext (USAGE, exit 2) and writes nothing', async () => {
    const refused = await wichain(['key', 'gen', '--out', box.path('none.json'), '--json'])
    expect(refused.code, refused.stdout).to.equal(2)
    expect(refused.json.error.code).to.equal('USAGE')
    expect(refused.json.error.message).to.contain('--plaintext')
    expect(existsSync(box.path('none.json'))).to.equal(false)
    const both = await wichain(['key', 'gen', '--out', box.path('both.json'), '--plaintext', '--password-file', box.path('pw.txt'), '--json'])
    expect(both.code).to.equal(2)
    expect(both.json.error.code).to.equal('USAGE')
  })

  it('key gen --plaintext warns on stderr and in --json; with a password file it warns about nothing', async () => {
    const plain = await wichain(['key', 'gen', '--plaintext', '--out', box.path('plain.json'), '--json'])
    expect(plain.code, plain.stderr).to.equal(0)
    expect(plain.json.encrypted).to.equal(false)
    expect(plain.json.warnings).to.have.length(1)
    expect(plain.json.warnings[0]).to.contain(box.path('plain.json')).and.contain('unencrypted')
    expect(plain.stderr).to.match(/^Warning: unencrypted keystore/m)
    expect(cipherOf(box.path('plain.json'))).to.equal('none')

    const human = await wichain(['key', 'gen', '--plaintext', '--out', box.path('plain-human.json')])
    expect(human.code).to.equal(0)
    expect(human.stderr).to.match(/^Warning: unencrypted keystore/m)
    expect(human.stdout).not.to.contain('Warning')

    const sealed = await wichain(['key', 'gen', '--password-file', box.path('pw.txt'), '--out', box.path('sealed.json'), '--json'])
    expect(sealed.code, sealed.stderr).to.equal(0)
    expect(sealed.json).to.include({encrypted: true})
    expect(sealed.json).not.to.have.property('warnings')
    expect(sealed.stderr).not.to.contain('Warning')
    expect(cipherOf(box.path('sealed.json'))).to.equal('sm4-cbc')
  })

  it('chain init refuses without --password-file or --plaintext (USAGE) and creates nothing', async () => {
    const refused = await wichain(['chain', 'init', '--out', box.path('refused'), '--base-port', '0', '--template', 'dev', '--json'])
    expect(refused.code, refused.stdout).to.equal(2)
    expect(refused.json.error.code).to.equal('USAGE')
    expect(existsSync(box.path('refused'))).to.equal(false)
  })

  it('chain init --password-file encrypts every keystore and warns about nothing', async () => {
    const init = await wichain(['chain', 'init', '--out', box.path('sealed-net'), '--base-port', '0', '--template', 'dev', '--password-file', box.path('pw.txt'), '--json'])
    expect(init.code, init.stderr).to.equal(0)
    expect(init.json).not.to.have.property('warnings')
    expect(init.stderr).not.to.contain('Warning')
    const files = [box.path('sealed-net', 'node0', 'node.key.json'), ...readdirSync(box.path('sealed-net', 'admin')).map((name) => box.path('sealed-net', 'admin', name))]
    for (const file of files) expect(cipherOf(file), file).to.equal('sm4-cbc')
  })

  it('chain init --plaintext writes keys in clear and says so', async () => {
    const init = await wichain(['chain', 'init', '--plaintext', '--out', box.path('plain-net'), '--base-port', '0', '--template', 'dev', '--json'])
    expect(init.code, init.stderr).to.equal(0)
    expect(init.json.warnings).to.have.length(1)
    expect(init.json.warnings[0]).to.contain(box.path('plain-net'))
    expect(init.stderr).to.match(/^Warning: unencrypted keystore/m)
    expect(cipherOf(box.path('plain-net', 'admin', 'orgadmin.json'))).to.equal('none')
  })

  it('up lays out a plaintext dev network and warns once, naming the directory; a second up does not', async () => {
    const dir = box.path('dev')
    try {
      const first = await wichain(['up', '--dir', dir, '--nodes', '1', '--consensus', 'solo', '--base-port', '0', '--json'])
      expect(first.code, first.stderr).to.equal(0)
      expect(first.json.created).to.equal(true)
      expect(first.json.warnings).to.have.length(1)
      expect(first.json.warnings[0]).to.contain(dir)
      expect(first.stderr.match(/^Warning:/gm)).to.have.length(1)
      const again = await ok(['up', '--dir', dir])
      expect(again.created).to.equal(false)
      expect(again).not.to.have.property('warnings')
    } finally {
      await ok(['down', '--dir', dir, '--purge'])
    }
  })
})
