/**
 * Signed backup manifests: a backup is signed by the account that made it, and verify and restore
 * refuse one whose node files were swapped (digests recomputed, as anyone can), one re-signed by
 * an account that may not create backups, an unsigned one of the earlier format, and one without
 * a signature; a good signed backup (plain or encrypted) verifies and restores. Backups are
 * owner-only files whatever the umask.
 */
import {expect} from 'chai'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {toHex} from '../../../src/core/bytes.js'
import {addressOf, createSigner, generateKeyPair} from '../../../src/core/crypto/index.js'
import {DEFAULT_PARAMS, parseGenesis} from '../../../src/core/chain/genesis.js'
import {homePath} from '../../../src/core/node/home.js'
import {createBackup, restoreBackups, verifyBackups} from '../../../src/ops/backup/index.js'
import {backupSignerAllowed} from '../../../src/ops/backup/signer.js'
import {failure, tamper, TestHome} from './backup-fixture.js'

describe('ops/backup: signed manifests', function () {
  this.timeout(60_000)
  let node: TestHome
  let other: TestHome
  let full: string

  before(async () => {
    ;[node, other] = await Promise.all([TestHome.create(), TestHome.create('wi-other')])
    await node.commit(3)
    full = (await createBackup({home: node.home, signer: node.signer('auditor'), out: node.path('full.wbk')})).file
  })
  after(() => {
    node.cleanup()
    other.cleanup()
  })

  /** Both `backup verify` and `restore` refuse `file` with `code` (and a message matching `pattern`); no home is written. */
  async function expectRefused(file: string, code: string, pattern?: RegExp): Promise<void> {
    const verifyError = await failure(verifyBackups({file}))
    expect(verifyError.code, verifyError.message).to.equal(code)
    if (pattern !== undefined) expect(verifyError.message).to.match(pattern)
    const home = node.path('net', `restore-${Math.random().toString(36).slice(2)}`)
    const restoreError = await failure(restoreBackups({home, from: [file]}))
    expect(restoreError.code, restoreError.message).to.equal(code)
    expect(existsSync(home), 'home created').to.equal(false)
    expect(readdirSync(node.path('net')).filter((name) => name.startsWith('.wichain-'))).to.deep.equal([])
  }

  it('signs with the account that made it; a good backup verifies and restores, naming its signer', async () => {
    for (const role of ['orgadmin', 'auditor', 'devops'] as const) {
      const made = await createBackup({home: node.home, signer: node.signer(role), out: node.path(`by-${role}.wbk`)})
      expect(made.signer).to.equal(node.signer(role).address)
      const verified = await verifyBackups({file: made.file})
      expect(verified).to.include({valid: true, signer: made.signer, createdAt: made.createdAt})
    }
    const restored = await restoreBackups({home: node.path('net', 'restored'), from: [full]})
    expect(restored.height).to.equal(3)
  })

  it('refuses a backup whose config.json or node key was swapped, digests recomputed', async () => {
    const otherConfig = await tamper(full, node.path('swapped-config.wbk'), (members) => {
      const config = JSON.parse(members.get('home/config.json')!.toString('utf8')) as {peers: unknown[]}
      config.peers = [{name: 'evil', publicKey: '04'.padEnd(130, 'a'), p2p: {host: '203.0.113.7', port: 26601}}]
      members.set('home/config.json', Buffer.from(JSON.stringify(config)))
    })
    await expectRefused(otherConfig, 'VERIFICATION_FAILED', /signature does not verify/)
    const foreignKey = readFileSync(homePath(other.home, 'nodeKey'))
    const swappedKey = await tamper(full, node.path('swapped-key-2.wbk'), (members) => members.set('home/node.key.json', foreignKey))
    await expectRefused(swappedKey, 'VERIFICATION_FAILED', /signature does not verify/)
  })

  it('refuses a swapped member re-signed by an account that may not create backups: a user, a stranger, another chain\'s auditor', async () => {
    const foreignKey = readFileSync(homePath(other.home, 'nodeKey'))
    const swap = (members: Map<string, Buffer>) => members.set('home/node.key.json', foreignKey)
    const byUser = await tamper(full, node.path('by-user.wbk'), swap, {resign: node.signer('user')})
    await expectRefused(byUser, 'UNAUTHORIZED', new RegExp(`signed by ${node.signer('user').address}.*backup\\.create`))
    const byStranger = await tamper(full, node.path('by-stranger.wbk'), swap, {resign: createSigner(generateKeyPair())})
    await expectRefused(byStranger, 'UNAUTHORIZED')
    const byOtherChain = await tamper(full, node.path('by-other-chain.wbk'), swap, {resign: other.signer('auditor')})
    await expectRefused(byOtherChain, 'UNAUTHORIZED')
  })

  it('refuses to make a backup signed by a user account', async () => {
    const error = await failure(createBackup({home: node.home, signer: node.signer('user'), out: node.path('user-made.wbk')}))
    expect(error.code).to.equal('UNAUTHORIZED')
    expect(error.message).to.contain('backup.create')
    expect(existsSync(node.path('user-made.wbk'))).to.equal(false)
  })

  it('refuses an unsigned backup of the earlier format with the upgrade step, and a manifest without a signature', async () => {
    const unsigned = await tamper(full, node.path('v1.wbk'), () => {}, {
      manifest: ({createdAt, signer, signature, ...rest}) => ({...rest, version: 1}),
    })
    await expectRefused(unsigned, 'VERIFICATION_FAILED', /version 1 .*unsigned.*Make a new backup with this version/)
    const base = await failure(createBackup({home: node.home, signer: node.signer(), out: node.path('on-v1.wbk'), base: unsigned}))
    expect(base.message).to.match(/Make a new backup with this version/)

    const future = await tamper(full, node.path('v3.wbk'), () => {}, {manifest: (manifest) => ({...manifest, version: 3})})
    await expectRefused(future, 'CORRUPT_DATA', /unsupported format version 3/)
    const stripped = await tamper(full, node.path('no-signature.wbk'), () => {}, {manifest: ({signature, ...rest}) => rest})
    await expectRefused(stripped, 'CORRUPT_DATA', /lacks "signature"/)
    const zeroed = await tamper(full, node.path('zero-signature.wbk'), () => {}, {manifest: (manifest) => ({...manifest, signature: '0'.repeat(128)})})
    await expectRefused(zeroed, 'VERIFICATION_FAILED')
  })

  it('signs encrypted backups too: the signature covers the MAC and the creation time', async () => {
    const password = 'signed and sealed'
    const sealed = await createBackup({home: node.home, signer: node.signer('devops'), out: node.path('sealed.wbk'), password, kdfIterations: 1_000})
    expect((await verifyBackups({file: sealed.file, password})).signer).to.equal(node.signer('devops').address)
    const edited = await tamper(sealed.file, node.path('sealed-edited.wbk'), () => {}, {manifest: (manifest) => ({...manifest, createdAt: 1})})
    expect((await failure(verifyBackups({file: edited, password}))).code).to.equal('VERIFICATION_FAILED')
  })

  it('writes backups owner-only (0600) whatever the umask: full, incremental, encrypted', async () => {
    const previous = process.umask(0)
    try {
      const wide = await createBackup({home: node.home, signer: node.signer(), out: node.path('umask-full.wbk')})
      await node.commit(1)
      const inc = await createBackup({home: node.home, signer: node.signer(), out: node.path('umask-inc.wbk'), base: wide.file})
      const sealed = await createBackup({home: node.home, signer: node.signer(), out: node.path('umask-sealed.wbk'), password: 'pw', kdfIterations: 1_000})
      const forced = await createBackup({home: node.home, signer: node.signer(), out: wide.file, force: true})
      for (const file of [wide.file, inc.file, sealed.file, forced.file]) expect(statSync(file).mode & 0o777, file).to.equal(0o600)
    } finally {
      process.umask(previous)
    }
  })
})

describe('ops/backup: backupSignerAllowed (stand-in for the backup.create policy)', () => {
  const keys = ['orgadmin', 'auditor', 'user', 'devops'].map(() => generateKeyPair())
  const genesis = parseGenesis({
    version: 1,
    chainId: 'wi-signer',
    consensus: 'solo',
    timestamp: 1_700_000_000_000,
    validators: [{name: 'node0', publicKey: toHex(generateKeyPair().publicKey)}],
    accounts: (['orgadmin', 'auditor', 'user', 'devops'] as const).map((role, index) => ({name: role, role, publicKey: toHex(keys[index]!.publicKey), address: addressOf(keys[index]!.publicKey)})),
    params: DEFAULT_PARAMS,
  })

  const table: Array<[string, string, boolean]> = [
    ['orgadmin', addressOf(keys[0]!.publicKey), true],
    ['auditor', addressOf(keys[1]!.publicKey), true],
    ['user', addressOf(keys[2]!.publicKey), false],
    ['devops', addressOf(keys[3]!.publicKey), true],
    ['not an account', addressOf(generateKeyPair().publicKey), false],
  ]
  for (const [who, address, allowed] of table) {
    it(`${who}: ${allowed ? 'allowed' : 'refused'}`, () => expect(backupSignerAllowed(genesis, address)).to.equal(allowed))
  }
})
