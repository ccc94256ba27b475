/**
 * WASM contracts end to end through the binary on a one-node solo chain: scaffold, build,
 * deploy, call, query; freeze refuses calls and unfreeze restores them; upgrade keeps state; an
 * infinite loop stops by gas and changes nothing; junk bytes are refused at deploy; destroy
 * refuses calls for good while the state stays readable.
 */
import {expect} from 'chai'
import {randomBytes} from 'node:crypto'
import {appendFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {ok, Sandbox, wichain} from './harness.js'
import {assemble, SPINNER_WAT} from './wasm-fixture.js'

const V2_METHOD = `
export function double(): void {
  const value = storage.getInt(KEY, 0) * 2;
  storage.setInt(KEY, value);
  returnInt(value);
}
`

describe('e2e: WASM contracts (one-node solo chain)', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  const admin = (role: string) => box.path('net', 'admin', `${role}.json`)
  const project = box.path('counter')
  const projectV2 = box.path('counter-v2')
  let rpc: string
  let rpcs: string[] = []
  const on = (...args: string[]) => [...args, '--rpc', rpc]
  /** Reads need a signed request: the network's auditor signs them. */
  const read = (...args: string[]) => [...on(...args), '--key', box.path('net', 'admin', 'auditor.json')]
  const failure = async (args: string[]) => {
    const result = await wichain([...args, '--json'])
    expect(result.code, result.stdout + result.stderr).to.not.equal(0)
    return {exit: result.code, ...(result.json.error as {code: string; message: string; details?: Record<string, any>})}
  }
  const query = async (name: string, method: string) => (await ok(read('contract', 'query', '--name', name, '--method', method))).result

  before(async () => {
    // The setting: a 4-node chain under PBFT, every lifecycle step a committed tx.
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', 'pbft', '--chain-id', 'wi-contracts', '--base-port', '0', '--template', 'dev'])
    rpc = init.nodes[0].rpc
    rpcs = init.nodes.map((node: {rpc: string}) => node.rpc)
    await Promise.all([0, 1, 2, 3].map((index) => ok(['node', 'start', '--home', box.path('net', `node${index}`), '--detach'])))
  })

  afterEach(function () {
    // A failure caused by the node (a crash shows as UNAVAILABLE) is explained by its log.
    if (this.currentTest?.state !== 'failed') return
    const log = box.path('net', 'node0', 'node.log')
    if (existsSync(log)) process.stderr.write(`--- node.log (tail) ---\n${readFileSync(log, 'utf8').slice(-4000)}\n`)
  })

  after(() => box.cleanup())

  it('scaffolds counter projects that build into float-free modules', async () => {
    const scaffold = await ok(['contract', 'new', project, '--template', 'counter'])
    expect(scaffold.files).to.include.members(['asconfig.json', 'assembly/index.ts', 'sdk/index.ts'])
    expect(JSON.parse(readFileSync(box.path('counter', 'asconfig.json'), 'utf8')).options.path).to.deep.equal(['.'])
    const again = await failure(['contract', 'new', project])
    expect(again.code).to.equal('NOT_EMPTY')
    // Version 2 (for the upgrade below) adds a method; both compile at once to save time.
    await ok(['contract', 'new', projectV2, '--template', 'counter'])
    appendFileSync(join(projectV2, 'assembly', 'index.ts'), V2_METHOD)
    const [v1, v2] = await Promise.all([
      ok(['contract', 'build', project, '--out', box.path('counter-v1.wasm')]),
      ok(['contract', 'build', projectV2, '--out', box.path('counter-v2.wasm')]),
    ])
    expect(v1.methods).to.deep.equal(['get', 'increment'])
    expect(v1.size).to.equal(readFileSync(box.path('counter-v1.wasm')).length)
    expect(v2.methods).to.deep.equal(['double', 'get', 'increment'])
  })

  it('deploys by devops only, then calls and queries', async () => {
    const refused = await failure(on('contract', 'deploy', '--key', admin('user'), '--name', 'counter', '--wasm', box.path('counter-v1.wasm')))
    expect(refused).to.include({exit: 4, code: 'UNAUTHORIZED'})
    const deployed = await ok(on('contract', 'deploy', '--key', admin('devops'), '--name', 'counter', '--wasm', box.path('counter-v1.wasm'), '--tag', '1.0.0'))
    expect(deployed.status).to.equal('ok')
    expect(deployed.contract).to.deep.include({name: 'counter', version: 1, versionTag: '1.0.0', status: 'active', methods: ['get', 'increment']})
    const called = await ok(on('contract', 'call', '--key', admin('user'), '--name', 'counter', '--method', 'increment', '--args', '{"by":2}'))
    expect(called).to.deep.include({status: 'ok', result: 2})
    expect(called.gasUsed).to.be.greaterThan(0)
    expect(called.events).to.deep.equal([{name: 'Incremented', data: {by: 2, value: 2}}])
    expect(called.height).to.be.greaterThan(deployed.height)
    expect(await query('counter', 'get')).to.equal(2)
    const tx = await ok(read('tx', 'get', called.txHash))
    expect(tx.receipt).to.deep.include({status: 'ok', result: 2, gasUsed: called.gasUsed})
  })

  it('refuses calls to a frozen contract and serves them again once unfrozen', async () => {
    const notAdmin = await failure(on('contract', 'freeze', '--key', admin('devops'), '--name', 'counter'))
    expect(notAdmin.code).to.equal('UNAUTHORIZED')
    expect(await ok(on('contract', 'freeze', '--key', admin('orgadmin'), '--name', 'counter'))).to.include({status: 'frozen'})
    const frozen = await failure(on('contract', 'call', '--key', admin('user'), '--name', 'counter', '--method', 'increment'))
    expect(frozen).to.include({exit: 7, code: 'CONTRACT_FROZEN'})
    expect(frozen.message).to.match(/frozen/)
    expect(frozen.details?.txHash).to.match(/^[0-9a-f]{64}$/)
    expect(await query('counter', 'get')).to.equal(2)
    await ok(on('contract', 'unfreeze', '--key', admin('orgadmin'), '--name', 'counter'))
    expect((await ok(on('contract', 'call', '--key', admin('user'), '--name', 'counter', '--method', 'increment'))).result).to.equal(3)
  })

  it('upgrades the code and keeps the state', async () => {
    const upgraded = await ok(on('contract', 'upgrade', '--key', admin('devops'), '--name', 'counter', '--wasm', box.path('counter-v2.wasm'), '--tag', '1.1.0'))
    expect(upgraded.contract).to.deep.include({version: 2, versionTag: '1.1.0', methods: ['double', 'get', 'increment']})
    expect(await query('counter', 'get')).to.equal(3)
    expect((await ok(on('contract', 'call', '--key', admin('user'), '--name', 'counter', '--method', 'double'))).result).to.equal(6)
  })

  it('stops an infinite loop by gas and keeps nothing it wrote', async () => {
    writeFileSync(box.path('spinner.wasm'), assemble(SPINNER_WAT))
    await ok(on('contract', 'deploy', '--key', admin('devops'), '--name', 'spinner', '--wasm', box.path('spinner.wasm')))
    const started = Date.now()
    const spun = await failure(on('contract', 'call', '--key', admin('user'), '--name', 'spinner', '--method', 'spin'))
    expect(spun).to.include({exit: 1, code: 'OUT_OF_GAS'})
    expect(spun.details?.gasUsed).to.equal(10_000_000)
    expect(Date.now() - started).to.be.below(20_000)
    expect(await query('spinner', 'get')).to.equal(null)
    await ok(on('contract', 'call', '--key', admin('user'), '--name', 'spinner', '--method', 'set'))
    expect(await query('spinner', 'get')).to.equal(1)
    const status = await ok(read('contract', 'status', '--name', 'spinner'))
    expect(status.figures).to.deep.include({calls: 2, failures: 1})
    expect(status.figures.lastError.code).to.equal('OUT_OF_GAS')
  })

  it('refuses junk as WASM at deploy with a clear error', async () => {
    writeFileSync(box.path('random.wasm'), randomBytes(4096))
    const local = await failure(on('contract', 'deploy', '--key', admin('devops'), '--name', 'junk', '--wasm', box.path('random.wasm')))
    expect(local).to.include({exit: 4, code: 'INVALID_WASM'})
    expect(local.message).to.match(/not a WebAssembly module/)
    // With the header in front, the bytes reach the chain, which refuses them in a failed receipt.
    writeFileSync(box.path('headed.wasm'), Buffer.concat([Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), randomBytes(4096)]))
    const onChain = await failure(on('contract', 'deploy', '--key', admin('devops'), '--name', 'junk', '--wasm', box.path('headed.wasm')))
    expect(onChain).to.include({exit: 4, code: 'INVALID_WASM'})
    expect(onChain.message).to.match(/not a valid WebAssembly module/)
    expect(onChain.details?.txHash).to.match(/^[0-9a-f]{64}$/)
    const missing = await failure(read('contract', 'status', '--name', 'junk'))
    expect(missing.code).to.equal('UNKNOWN_CONTRACT')
  })

  it('destroys a contract: calls refused for good, state still readable', async () => {
    await ok(on('contract', 'destroy', '--key', admin('orgadmin'), '--name', 'counter'))
    const refused = await failure(on('contract', 'call', '--key', admin('user'), '--name', 'counter', '--method', 'increment'))
    expect(refused).to.include({exit: 7, code: 'CONTRACT_DESTROYED'})
    expect((await failure(on('contract', 'unfreeze', '--key', admin('orgadmin'), '--name', 'counter'))).code).to.equal('CONTRACT_DESTROYED')
    expect(await query('counter', 'get')).to.equal(6)
    const listed = await ok(read('contract', 'list'))
    expect(listed.contracts.map((entry: {name: string; status: string}) => [entry.name, entry.status])).to.deep.equal([['counter', 'destroyed'], ['spinner', 'active']])
    const status = await ok(read('contract', 'status', '--name', 'counter'))
    expect(status).to.deep.include({status: 'destroyed', version: 2})
    expect(status.figures).to.deep.include({calls: 5, failures: 2})
  })

  it('shows per-contract figures in node status (monitoring)', async () => {
    const status = await ok(read('node', 'status'))
    const counter = (status.chains[0].contracts as Array<{name: string; calls: number; failures: number; gasUsed: number}>).find((entry) => entry.calls > 0)
    expect(counter, JSON.stringify(status.chains[0].contracts)).to.not.equal(undefined)
    expect(counter!.gasUsed).to.be.greaterThan(0)
  })

  it('leaves all four nodes with the same chain', async () => {
    const heads = await Promise.all(rpcs.map((url) => ok(['block', 'get', 'latest', '--rpc', url, '--key', box.path('net', 'admin', 'auditor.json')])))
    const height = Math.min(...heads.map((head) => head.height))
    const hashes = await Promise.all(rpcs.map(async (url) => (await ok(['block', 'get', String(height), '--rpc', url, '--key', box.path('net', 'admin', 'auditor.json')])).hash))
    expect(new Set(hashes).size).to.equal(1)
  })
})
