import {expect} from 'chai'
import {randomBytes} from 'node:crypto'
import {toHex} from '../../../../../src/core/bytes.js'
import {stateKey} from '../../../../../src/core/chain/executor.js'
import {decodeCode, LIST_PAGE_MAX} from '../../../../../src/core/chain/contracts/manager.js'
import {RESERVED_NAMES} from '../../../../../src/core/chain/contracts/registry.js'
import {sm3} from '../../../../../src/core/crypto/sm3.js'
import {WichainError} from '../../../../../src/core/errors.js'
import {wasm} from '../../../../../src/core/vm/wasm.js'
import {base64, counterWasm, expectFailed, expectOk, floatWasm, hex, TestChain} from './wasm-fixtures.js'

describe('core/chain/contracts/manager', () => {
  const code = counterWasm(1)
  const codeHash = toHex(sm3(code))

  describe('deploy', () => {
    const chain = new TestChain()

    it('deploys validated, gas-instrumented code by devops and records it', () => {
      const result = expectOk(chain.deploy('counter', code, {version: '1.0.0'})) as Record<string, unknown>
      expect(result).to.deep.include({name: 'counter', version: 1, versionTag: '1.0.0', codeHash, codeBytes: code.length, methods: ['fail', 'get', 'inc', 'spin'], status: 'active'})
      const status = chain.status('counter')
      expect(status).to.deep.include({name: 'counter', version: 1, codeHash, status: 'active', deployer: chain.accounts.devops.address, height: 1, updatedHeight: 1})
      expect(status.figures).to.deep.equal({calls: 0, failures: 0, gasUsed: 0, lastHeight: 0, lastError: null})
    })

    it('stores the instrumented bytes under the hash of the uploaded code', () => {
      const stored = chain.test.state.get(toHex(stateKey('contracts', `code/${codeHash}`)))!
      expect(stored.length).to.be.greaterThan(code.length)
      const imports = wasm.Module.imports(new wasm.Module(stored)).map((entry) => `${entry.module}.${entry.name}`)
      expect(imports).to.include('__wichain.gas')
    })

    it('accepts hex (with or without 0x) and base64 as the same code', () => {
      expect(toHex(decodeCode(hex(code)))).to.equal(toHex(code))
      expect(toHex(decodeCode(`0x${hex(code)}`))).to.equal(toHex(code))
      expect(toHex(decodeCode(base64(code)))).to.equal(toHex(code))
      const viaHex = expectOk(chain.send(chain.accounts.devops, 'contracts', 'deploy', {name: 'counter-hex', code: hex(code)})) as Record<string, unknown>
      expect(viaHex.codeHash).to.equal(codeHash)
    })

    it('refuses random bytes with a failed INVALID_WASM receipt and writes nothing', () => {
      const before = chain.snapshot()
      const receipt = chain.send(chain.accounts.devops, 'contracts', 'deploy', {name: 'junk', code: base64(randomBytes(2048))})
      expectFailed(receipt, 'INVALID_WASM', /not a WebAssembly module/)
      expect(chain.snapshot()).to.deep.equal(before)
      expect(() => chain.status('junk')).to.throw(WichainError).with.property('code', 'UNKNOWN_CONTRACT')
    })

    it('refuses floats, text that is neither hex nor base64, and a truncated module', () => {
      expectFailed(chain.deploy('floaty', floatWasm()), 'INVALID_WASM', /f64|float/i)
      expectFailed(chain.send(chain.accounts.devops, 'contracts', 'deploy', {name: 'text', code: 'not wasm!'}), 'INVALID_WASM', /neither hex nor base64/)
      expectFailed(chain.deploy('cut', code.subarray(0, code.length - 7)), 'INVALID_WASM')
      // Past the header the engine's validator decides; its wording (Node-version specific) stays out of receipts.
      const headed = new Uint8Array([...code.subarray(0, 8), ...randomBytes(512)])
      const receipt = chain.deploy('headed', headed)
      expectFailed(receipt, 'INVALID_WASM')
      expect(receipt.error!.message).to.equal('not a valid WebAssembly module: the WebAssembly validator refused its bytes (not compiler output, or damaged)')
      expectFailed(chain.send(chain.accounts.devops, 'contracts', 'deploy', {name: 'none'}), 'INVALID_ARGUMENT', /code/)
    })

    it('refuses a taken name, a reserved name, a bad name and unknown arguments', () => {
      expectFailed(chain.deploy('counter', counterWasm(2)), 'ALREADY_EXISTS', /already deployed/)
      for (const name of RESERVED_NAMES) expectFailed(chain.deploy(name, code), 'INVALID_ARGUMENT', /reserved/)
      for (const name of ['', '9lives', 'a/b', '@x', 'x'.repeat(65)]) expectFailed(chain.deploy(name, code), 'INVALID_ARGUMENT', /name/)
      expectFailed(chain.deploy('extra', code, {owner: 'me'}), 'INVALID_ARGUMENT', /unknown argument "owner"/)
      expectFailed(chain.deploy('tagged', code, {version: 'x'.repeat(33)}), 'INVALID_ARGUMENT', /version/)
    })
  })

  describe('roles', () => {
    const chain = new TestChain()

    it('lets only devops deploy and upgrade', () => {
      for (const role of ['orgadmin', 'auditor', 'user'] as const) {
        const receipt = chain.send(chain.accounts[role], 'contracts', 'deploy', {name: 'counter', code: base64(code)})
        expectFailed(receipt, 'UNAUTHORIZED', /devops/)
      }
      expectOk(chain.deploy('counter', code))
      expectFailed(chain.send(chain.accounts.user, 'contracts', 'upgrade', {name: 'counter', code: base64(counterWasm(2))}), 'UNAUTHORIZED')
    })

    it('lets only org admins freeze, unfreeze and destroy', () => {
      for (const method of ['freeze', 'unfreeze', 'destroy']) {
        for (const role of ['devops', 'auditor', 'user'] as const) {
          expectFailed(chain.send(chain.accounts[role], 'contracts', method, {name: 'counter'}), 'UNAUTHORIZED', /orgadmin/)
        }
      }
      expect(chain.status('counter').status).to.equal('active')
    })
  })

  describe('lifecycle transitions', () => {
    const chain = new TestChain()
    const admin = () => chain.accounts.orgadmin

    it('freezes an active contract and refuses to freeze it twice or unfreeze an active one', () => {
      expectOk(chain.deploy('counter', code))
      expectFailed(chain.send(admin(), 'contracts', 'unfreeze', {name: 'counter'}), 'INVALID_ARGUMENT', /active/)
      expect(expectOk(chain.send(admin(), 'contracts', 'freeze', {name: 'counter'}))).to.deep.equal({name: 'counter', version: 1, status: 'frozen', previousStatus: 'active'})
      expectFailed(chain.send(admin(), 'contracts', 'freeze', {name: 'counter'}), 'CONTRACT_FROZEN', /already frozen/)
      expect(chain.status('counter')).to.deep.include({status: 'frozen', updatedHeight: chain.height - 2})
    })

    it('upgrades a frozen contract (fix, then unfreeze) and keeps it frozen', () => {
      const result = expectOk(chain.send(chain.accounts.devops, 'contracts', 'upgrade', {name: 'counter', code: base64(counterWasm(2))})) as Record<string, unknown>
      expect(result).to.deep.include({version: 2, status: 'frozen', previousCodeHash: codeHash})
      expectFailed(chain.send(chain.accounts.devops, 'contracts', 'upgrade', {name: 'counter', code: base64(counterWasm(2))}), 'INVALID_ARGUMENT', /already runs this code/)
      expectFailed(chain.send(chain.accounts.devops, 'contracts', 'upgrade', {name: 'nobody', code: base64(code)}), 'UNKNOWN_CONTRACT')
    })

    it('destroys for good: no unfreeze, freeze, upgrade, second destroy or redeploy', () => {
      expectOk(chain.send(admin(), 'contracts', 'destroy', {name: 'counter'}))
      for (const method of ['unfreeze', 'freeze', 'destroy']) {
        expectFailed(chain.send(admin(), 'contracts', method, {name: 'counter'}), 'CONTRACT_DESTROYED', /permanent/)
      }
      expectFailed(chain.send(chain.accounts.devops, 'contracts', 'upgrade', {name: 'counter', code: base64(code)}), 'CONTRACT_DESTROYED')
      expectFailed(chain.deploy('counter', code), 'ALREADY_EXISTS')
      expect(chain.status('counter')).to.deep.include({status: 'destroyed', version: 2})
    })
  })

  describe('list', () => {
    const chain = new TestChain()

    it('lists contracts by name in pages', () => {
      expect(chain.query('contracts', 'list')).to.deep.equal({contracts: [], next: null})
      for (const name of ['b', 'a', 'c']) expectOk(chain.deploy(name, code))
      const all = chain.query('contracts', 'list') as {contracts: Array<Record<string, unknown>>; next: string | null}
      expect(all.contracts.map((entry) => entry.name)).to.deep.equal(['a', 'b', 'c'])
      expect(all.contracts[0]).to.deep.equal({name: 'a', version: 1, status: 'active', codeHash, calls: 0, failures: 0, gasUsed: 0})
      expect(all.next).to.equal(null)
      const first = chain.query('contracts', 'list', {limit: 2}) as {contracts: Array<{name: string}>; next: string}
      expect(first.contracts.map((entry) => entry.name)).to.deep.equal(['a', 'b'])
      const second = chain.query('contracts', 'list', {limit: 2, after: first.next}) as {contracts: Array<{name: string}>; next: null}
      expect(second).to.deep.include({next: null})
      expect(second.contracts.map((entry) => entry.name)).to.deep.equal(['c'])
      expect(() => chain.query('contracts', 'list', {limit: LIST_PAGE_MAX + 1})).to.throw(WichainError, /limit/)
    })

    it('refuses lifecycle methods through query (they write)', () => {
      expect(() => chain.query('contracts', 'deploy', {name: 'x', code: base64(code)})).to.throw(WichainError, /send a tx/)
    })
  })
})
