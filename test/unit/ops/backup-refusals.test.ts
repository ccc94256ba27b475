/**
 * What a backup or restore must refuse, with a clear code and nothing written to the home: a
 * flipped byte, a truncated file, a well-formed archive whose block or certificate was altered
 * (digests recomputed, manifest re-signed; backup-signature.test.ts covers the signature itself), a base from another chain or ahead of the node, a wrong or missing
 * password, a non-empty home, an existing output file.
 */
import {expect} from 'chai'
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {gunzipSync} from 'node:zlib'
import {join} from 'node:path'
import {createBackup, restoreBackups, verifyBackups} from '../../../src/ops/backup/index.js'
import {failure, tamper, TestHome} from './backup-fixture.js'

describe('ops/backup: refusals', function () {
  this.timeout(60_000)
  let node: TestHome
  let other: TestHome
  let full: string

  before(async () => {
    ;[node, other] = await Promise.all([TestHome.create(), TestHome.create()])
    await node.commit(3)
    await other.commit(2)
    full = (await createBackup({home: node.home, signer: node.signer(), out: node.path('full.wbk')})).file
  })
  after(() => {
    node.cleanup()
    other.cleanup()
  })

  /** The restore failed with `code`, created no home and left no work directory behind. */
  async function expectRestoreRefused(from: string[], code: string, options: {password?: string} = {}): Promise<void> {
    const home = node.path('net', `restore-${Math.random().toString(36).slice(2)}`)
    const error = await failure(restoreBackups({home, from, ...options}))
    expect(error.code, error.message).to.equal(code)
    expect(existsSync(home), 'home created').to.equal(false)
    expect(readdirSync(node.path('net')).filter((name) => name.startsWith('.wichain-'))).to.deep.equal([])
  }

  it('refuses a flipped byte and a truncated file as CORRUPT_DATA', async () => {
    const bytes = readFileSync(full)
    for (const [name, damaged] of [
      ['flipped.wbk', Buffer.from(bytes).fill(bytes[Math.floor(bytes.length / 2)]! ^ 0x55, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 1)],
      ['truncated.wbk', bytes.subarray(0, bytes.length - 100)],
      ['not-a-backup.wbk', Buffer.from('{"hello":"world"}')],
    ] as const) {
      const file = node.path(name)
      writeFileSync(file, damaged)
      const error = await failure(verifyBackups({file}))
      expect(error.code, name).to.equal('CORRUPT_DATA')
      expect(error.message).to.contain(file)
      await expectRestoreRefused([file], 'CORRUPT_DATA')
    }
    expect((await failure(verifyBackups({file: node.path('missing.wbk')}))).code).to.equal('FILE_NOT_FOUND')
  })

  it('catches an altered certificate or block even when the digests were recomputed and the manifest re-signed by an allowed account', async () => {
    const segment = 'blocks/000000000001-000000000003.bin'
    const flipCertificate = (members: Map<string, Buffer>) => {
      const bytes = Buffer.from(members.get(segment)!)
      bytes[bytes.length - 10]! ^= 0x01 // inside the last certificate's signature
      members.set(segment, bytes)
    }
    const unsigned = await tamper(full, node.path('bad-signature-unsigned.wbk'), flipCertificate)
    expect((await failure(verifyBackups({file: unsigned}))).message).to.contain('manifest\'s signature does not verify')
    // An insider holding a backup key can sign anything; the blocks' own certificates still give it away.
    const resign = node.signer('orgadmin')
    const badSignature = await tamper(full, node.path('bad-signature.wbk'), flipCertificate, {resign})
    const signatureError = await failure(verifyBackups({file: badSignature}))
    expect(signatureError.code).to.equal('VERIFICATION_FAILED')
    expect(signatureError.message).to.match(/block 3: .*bad signature/)
    await expectRestoreRefused([badSignature], 'VERIFICATION_FAILED')

    const badGenesis = await tamper(full, node.path('bad-genesis.wbk'), (members) => members.set('home/genesis.json', Buffer.from('{}')), {resign})
    expect((await failure(verifyBackups({file: badGenesis}))).code).to.equal('CORRUPT_DATA')

    const emptied = await tamper(full, node.path('emptied.wbk'), (members) => members.set(segment, Buffer.alloc(0)), {resign})
    const emptiedError = await failure(verifyBackups({file: emptied}))
    expect(emptiedError.code).to.equal('CORRUPT_DATA')
    expect(emptiedError.message).to.contain('holds 0 blocks')
  })

  it('refuses a base that is not a prefix of the node\'s chain, and an incremental on the wrong base', async () => {
    const foreign = await createBackup({home: other.home, signer: other.signer(), out: other.path('foreign.wbk')})
    const wrongChain = await failure(createBackup({home: node.home, signer: node.signer(), out: node.path('x.wbk'), base: foreign.file}))
    expect(wrongChain.code).to.equal('VERIFICATION_FAILED')
    expect(existsSync(node.path('x.wbk'))).to.equal(false)

    await node.commit(2)
    const ahead = await createBackup({home: node.home, signer: node.signer(), out: node.path('ahead.wbk')})
    const behind = node.path('net', 'behind')
    await restoreBackups({home: behind, from: [full]})
    const aheadError = await failure(createBackup({home: behind, signer: node.signer(), out: node.path('y.wbk'), base: ahead.file}))
    expect(aheadError.code).to.equal('VERIFICATION_FAILED')
    expect(aheadError.message).to.contain('not a prefix')

    const inc = await createBackup({home: node.home, signer: node.signer(), out: node.path('inc.wbk'), base: full})
    const unlinked = await failure(verifyBackups({file: inc.file, bases: [ahead.file]}))
    expect(unlinked.code).to.equal('VERIFICATION_FAILED')
    await expectRestoreRefused([ahead.file, inc.file], 'VERIFICATION_FAILED')
    await expectRestoreRefused([inc.file], 'USAGE')
  })

  it('encrypts with a password: refuses a wrong or missing one, restores with the right one', async () => {
    const password = 'correct horse'
    const sealed = await createBackup({home: node.home, signer: node.signer(), out: node.path('sealed.wbk'), password, kdfIterations: 1_000})
    expect(sealed.encrypted).to.equal(true)
    const tarBytes = gunzipSync(readFileSync(sealed.file))
    expect(tarBytes.includes(Buffer.from('"peers"')), 'config.json in clear').to.equal(false)
    expect(tarBytes.includes(Buffer.from('"pbkdf2-sm3"')), 'manifest readable').to.equal(true)

    expect((await failure(verifyBackups({file: sealed.file}))).code).to.equal('WRONG_PASSWORD')
    expect((await failure(verifyBackups({file: sealed.file, password: 'wrong'}))).code).to.equal('WRONG_PASSWORD')
    await expectRestoreRefused([sealed.file], 'WRONG_PASSWORD', {password: 'wrong'})
    expect((await verifyBackups({file: sealed.file, password})).encrypted).to.equal(true)

    await node.commit(1)
    const inc = await createBackup({home: node.home, signer: node.signer(), out: node.path('sealed-inc.wbk'), base: sealed.file, password, kdfIterations: 1_000})
    const restored = await restoreBackups({home: node.path('net', 'from-sealed'), from: [sealed.file, inc.file], password})
    expect(restored).to.include({height: inc.toHeight, headHash: inc.headHash})
  })

  it('refuses a non-empty home unless --force, and an existing output file unless --force', async () => {
    const home = node.path('net', 'occupied')
    mkdirSync(home, {recursive: true})
    writeFileSync(join(home, 'keep.txt'), 'precious')
    expect((await failure(restoreBackups({home, from: [full]}))).code).to.equal('NOT_EMPTY')
    expect(readFileSync(join(home, 'keep.txt'), 'utf8')).to.equal('precious')
    const forced = await restoreBackups({home, from: [full], force: true})
    expect(forced.height).to.equal(3)
    expect(existsSync(join(home, 'keep.txt'))).to.equal(false)

    expect((await failure(createBackup({home: node.home, signer: node.signer(), out: full}))).code).to.equal('ALREADY_EXISTS')
    expect((await createBackup({home: node.home, signer: node.signer(), out: full, force: true})).file).to.equal(full)
  })
})
