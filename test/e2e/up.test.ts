/** The README quickstart: `wichain up` starts a local 4-node PBFT chain, `wichain down` stops it. */
import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {ok, Sandbox, wichain} from './harness.js'

describe('e2e: wichain up / down (the quickstart)', function () {
  this.timeout(180_000)
  const box = new Sandbox()
  after(() => box.cleanup())

  it('starts a 4-node PBFT chain that commits, is idempotent, and stops', async () => {
    const dir = box.path('local')
    const up = await ok(['up', '--dir', dir, '--base-port', '0'])
    expect(up).to.include({created: true, consensus: 'pbft'})
    expect(up.orgs.map((org: {id: string}) => org.id), 'a consortium of two organisations').to.deep.equal(['org1', 'org2'])
    expect(up.nodes).to.have.length(4)
    const again = await ok(['up', '--dir', dir])
    expect(again.created).to.equal(false)
    expect(again.nodes.every((node: {started: boolean}) => !node.started)).to.equal(true)
    const sent = await ok(['tx', 'send', '--rpc', up.nodes[2].rpc, '--key', up.admin.user, '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'quickstart', hash: '2'.repeat(64)})])
    expect(sent.status).to.equal('ok')
    const down = await ok(['down', '--dir', dir, '--purge'])
    expect(down).to.include({stopped: 4, purged: true})
    expect(existsSync(dir)).to.equal(false)
    const nothing = await wichain(['down', '--dir', dir, '--json'])
    expect(nothing.code).to.equal(3)
    expect(nothing.json.error.code).to.equal('NOT_FOUND')
  })
})
