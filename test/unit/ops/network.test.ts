import {expect} from 'chai'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseGenesis} from '../../../src/core/chain/genesis.js'
import {readKeystoreFile} from '../../../src/core/crypto/index.js'
import {initNetwork} from '../../../src/ops/network.js'

describe('ops/network: chain init', () => {
  const dirs: string[] = []
  const temp = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'wi-init-'))
    dirs.push(dir)
    return dir
  }
  after(() => dirs.forEach((dir) => rmSync(dir, {recursive: true, force: true})))

  it('--orgs 3 lays out a consortium: keys per org, nodes spread over the orgs, admin/ is org1, a version 2 genesis', async () => {
    const out = temp()
    const result = await initNetwork({out, nodes: 4, consensus: 'pbft', chainId: 'wi-orgs', basePort: 0, template: 'dev', orgs: 3})
    const genesis = parseGenesis(JSON.parse(readFileSync(result.genesis, 'utf8')))
    expect(genesis.version).to.equal(2)
    expect(genesis.orgs.map((org) => org.id)).to.deep.equal(['org1', 'org2', 'org3'])
    expect(genesis.validators.map((validator) => validator.org)).to.deep.equal(['org1', 'org2', 'org3', 'org1'])
    expect(result.orgs!.map((org) => org.nodes)).to.deep.equal([['node0', 'node3'], ['node1'], ['node2']])
    for (const org of result.orgs!) {
      for (const role of ['orgadmin', 'auditor', 'user', 'devops'] as const) {
        const file = join(out, 'orgs', org.id, `${role}.json`)
        expect(existsSync(file), file).to.equal(true)
        const account = genesis.accounts.find((entry) => entry.address === org.keys[role].address)!
        expect(account).to.deep.include({org: org.id, roles: [role]})
      }
      expect(genesis.orgs.find((entry) => entry.id === org.id)!.encryptionKey).to.equal(org.encryptionKey)
      expect(readKeystoreFile(join(out, 'orgs', org.id, 'encryption.json')).publicKey).to.have.length(65)
    }
    expect(result.admin.orgadmin.address).to.equal(result.orgs![0]!.keys.orgadmin.address)
  })

  it('without --orgs: a version 1 genesis, as before', async () => {
    const result = await initNetwork({out: temp(), nodes: 1, consensus: 'solo', chainId: 'wi-one', basePort: 0, template: 'dev'})
    expect(JSON.parse(readFileSync(result.genesis, 'utf8')).version).to.equal(1)
    expect(result.orgs).to.equal(undefined)
  })

  it('refuses more organisations than nodes', async () => {
    let error: unknown
    await initNetwork({out: temp(), nodes: 1, consensus: 'solo', chainId: 'wi-x', basePort: 0, template: 'dev', orgs: 2}).catch((caught: unknown) => (error = caught))
    expect(error).to.have.property('code', 'INVALID_ARGUMENT')
  })
})
