import {expect} from 'chai'
import {mkdtemp, mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {WichainError} from '../../../../src/core/errors.js'
import {buildContract, contractTemplatesDir} from '../../../../src/core/vm/build.js'
import {instrumentGas} from '../../../../src/core/vm/gas.js'
import type {ExecuteFailure, ExecuteResult, ExecuteSuccess, JsonValue} from '../../../../src/core/vm/runtime.js'
import {call, CONTEXT, MemoryStorage} from './fixtures.js'

const code: Record<string, Uint8Array> = {}
let scratch = ''

function ok(result: ExecuteResult): ExecuteSuccess {
  expect(result.ok, JSON.stringify(result)).to.equal(true)
  return result as ExecuteSuccess
}

function refused(result: ExecuteResult): ExecuteFailure['error'] {
  expect(result.ok, 'call should be refused').to.equal(false)
  return (result as ExecuteFailure).error
}

async function expectBuildError(source: string, code: string, pattern: RegExp): Promise<void> {
  const dir = join(scratch, `case-${Math.random().toString(36).slice(2)}`)
  await mkdir(join(dir, 'assembly'), {recursive: true})
  await writeFile(join(dir, 'assembly', 'index.ts'), source)
  try {
    await buildContract(dir)
    expect.fail('build should fail')
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    expect((error as WichainError).code).to.equal(code)
    expect((error as WichainError).message).to.match(pattern)
  }
}

describe('vm/templates (AssemblyScript, built once)', function () {
  this.timeout(60_000)

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'wichain-vm-'))
    for (const name of ['counter', 'evidence', 'claim']) {
      const built = await buildContract(join(contractTemplatesDir(), name), join(scratch, `${name}.wasm`))
      code[name] = instrumentGas(built.wasm)
    }
  })

  after(async () => {
    await rm(scratch, {recursive: true, force: true})
  })

  it('builds each template into a small float-free module and writes the output file', async () => {
    const written = await readFile(join(scratch, 'counter.wasm'))
    expect(written.length).to.be.within(1_000, 64 * 1024)
    const built = await buildContract(join(contractTemplatesDir(), 'counter'))
    expect(built.info.methods).to.deep.equal(['get', 'increment'])
    expect(Buffer.compare(Buffer.from(built.wasm), written)).to.equal(0)
  })

  it('counter: increments through the storage buffer and reads back', () => {
    const storage = new MemoryStorage()
    expect(ok(call(code.counter!, 'increment', {storage})).result).to.equal(1)
    const second = ok(call(code.counter!, 'increment', {storage, args: {by: 5}}))
    expect(second.result).to.equal(6)
    expect(second.events).to.deep.equal([{name: 'Incremented', data: '{"by":5,"value":6}'}])
    expect(storage.text('count')).to.equal('6')
    expect(ok(call(code.counter!, 'get', {storage})).result).to.equal(6)
  })

  it('counter: a refused increment writes nothing, and the same call costs the same gas', () => {
    const storage = new MemoryStorage()
    expect(refused(call(code.counter!, 'increment', {storage, args: {by: 0}}))).to.deep.equal({
      code: 'CONTRACT_ERROR', message: 'contract aborted: by must be between 1 and 1000000',
    })
    expect(storage.entries.size).to.equal(0)
    const gas = [0, 1].map(() => call(code.counter!, 'get', {storage}).gasUsed)
    expect(gas[0]).to.equal(gas[1])
  })

  it('evidence: stores once, reads back, verifies, and refuses a second put or a bad hash', () => {
    const storage = new MemoryStorage()
    const hash = 'AB'.repeat(32)
    const put = ok(call(code.evidence!, 'put', {storage, args: {key: 'doc-1', hash, meta: 'contract "A"'}}))
    const record = put.result as Record<string, JsonValue>
    expect(record).to.deep.include({key: 'doc-1', hash: hash.toLowerCase(), meta: 'contract "A"', owner: CONTEXT.caller, height: 42, tx: CONTEXT.txHash})
    expect(ok(call(code.evidence!, 'get', {storage, args: {key: 'doc-1'}})).result).to.deep.equal(record)
    expect(ok(call(code.evidence!, 'verify', {storage, args: {key: 'doc-1', hash}})).result).to.equal(true)
    expect(ok(call(code.evidence!, 'verify', {storage, args: {key: 'doc-1', hash: 'cd'.repeat(32)}})).result).to.equal(false)
    expect(ok(call(code.evidence!, 'get', {storage, args: {key: 'nope'}})).result).to.equal(null)
    expect(refused(call(code.evidence!, 'put', {storage, args: {key: 'doc-1', hash}})).message).to.match(/already exists/)
    expect(refused(call(code.evidence!, 'put', {storage, args: {key: 'doc-2', hash: 'xyz'}})).message).to.match(/64 hex/)
  })

  it('claim: walks filed → determined → assessed → paid', () => {
    const storage = new MemoryStorage()
    const step = (method: string, args: JsonValue) => ok(call(code.claim!, method, {storage, args})).result as Record<string, JsonValue>
    expect(step('file', {id: 'c1', worker: 'w-9f2'}).state).to.equal('filed')
    expect(step('determine', {id: 'c1', injury: true}).state).to.equal('determined')
    expect(step('assess', {id: 'c1', grade: 7}).state).to.equal('assessed')
    const paid = step('pay', {id: 'c1', amountFen: 1234567})
    expect(paid).to.deep.include({id: 'c1', worker: 'w-9f2', state: 'paid', injury: true, grade: 7, amountFen: 1234567})
    expect(step('get', {id: 'c1'})).to.deep.equal(paid)
  })

  it('claim: refuses illegal transitions and leaves the state unchanged', () => {
    const storage = new MemoryStorage()
    ok(call(code.claim!, 'file', {storage, args: {id: 'c2', worker: 'w-1'}}))
    const before = storage.text('claim:c2')
    expect(refused(call(code.claim!, 'pay', {storage, args: {id: 'c2', amountFen: 5}}))).to.deep.equal({
      code: 'CONTRACT_ERROR', message: 'contract aborted: illegal transition: filed -> paid',
    })
    expect(storage.text('claim:c2')).to.equal(before)
    ok(call(code.claim!, 'determine', {storage, args: {id: 'c2', injury: false}}))
    expect(refused(call(code.claim!, 'assess', {storage, args: {id: 'c2', grade: 3}})).message).to.match(/rejected -> assessed/)
    expect(refused(call(code.claim!, 'file', {storage, args: {id: 'c2', worker: 'w-1'}})).message).to.match(/already exists/)
    expect(refused(call(code.claim!, 'determine', {storage, args: {id: 'nope', injury: true}})).message).to.match(/no claim "nope"/)
  })

  it('refuses a build with a compile error, one that uses floats, and a folder without sources', async () => {
    await expectBuildError('export function run(): void { let x: i32 = "text"; }', 'BUILD_FAILED', /asc failed/)
    await expectBuildError('let scale: f64 = 1.5;\nexport function run(): void { scale = scale * 2.0; }', 'INVALID_WASM', /f64/)
    try {
      await buildContract(join(scratch, 'nothing-here'))
      expect.fail('build should fail')
    } catch (error) {
      expect((error as WichainError).code).to.equal('FILE_NOT_FOUND')
    }
  })
})
