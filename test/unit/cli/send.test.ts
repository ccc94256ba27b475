/**
 * `wichain tx send` and the commands that send txs check args on the client as a node would
 * (strict JSON within the tx args limits), so a user learns why before anything is signed or sent;
 * `contract call --args` is signed as typed, and `contract query --args` is read by the same strict
 * parser (JSON.parse would keep the last of two equal keys without a word).
 */
import {expect} from 'chai'
import {argsText, parseArgsFlag} from '../../../src/cli/send.js'
import {parseJsonFlag} from '../../../src/cli/contract.js'
import ContractCall from '../../../src/commands/contract/call.js'
import ContractQuery from '../../../src/commands/contract/query.js'
import TxSend from '../../../src/commands/tx/send.js'
import {WichainError} from '../../../src/core/errors.js'

function failure(action: () => unknown): WichainError {
  try {
    action()
  } catch (error) {
    expect(error).to.be.instanceOf(WichainError)
    return error as WichainError
  }
  throw new Error('expected a WichainError')
}

type Outcome = {output: Record<string, unknown>; exitCode: number | string | undefined}

/** Run a command in this process with `--json`; its JSON output and exit code. */
async function runJson(command: {run(argv: string[]): Promise<unknown>}, argv: string[]): Promise<Outcome> {
  const writes: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  const exitCode = process.exitCode
  process.stdout.write = ((chunk: string | Uint8Array) => writes.push(String(chunk)) > 0) as typeof process.stdout.write
  try {
    await command.run([...argv, '--json'])
    return {output: JSON.parse(writes.join('')) as Record<string, unknown>, exitCode: process.exitCode}
  } finally {
    process.stdout.write = write
    process.exitCode = exitCode
  }
}

// Port 9 (discard) and a missing key file: neither may be touched before the args are checked.
const NOWHERE = ['--rpc', 'http://127.0.0.1:9']
const NO_KEY = ['--key', '/nonexistent/key.json']

/** Run `wichain tx send` in this process; its JSON output and exit code. */
function txSend(args: string): Promise<Outcome> {
  return runJson(TxSend, [...NOWHERE, ...NO_KEY, '--contract', 'evidence', '--method', 'put', '--args', args])
}

describe('cli/send: args checked before sending', () => {
  it('tx send refuses duplicate keys and deep nesting with INVALID_TX, before loading the key or calling the node', async () => {
    const duplicate = await txSend('{"key":"a","key":"b","hash":"ab"}')
    expect(duplicate.output).to.deep.include({error: {code: 'INVALID_TX', message: '--args: tx args have the key "key" twice in one object, at offset 11; no node would accept this tx', details: {rule: 'duplicate', offset: 11}}})
    expect(duplicate.exitCode).to.equal(4)
    const deep = await txSend(`{"meta":${'['.repeat(4112)}${']'.repeat(4112)}}`)
    expect((deep.output.error as {code: string; message: string}).code).to.equal('INVALID_TX')
    expect((deep.output.error as {message: string}).message).to.match(/TX_ARGS_DEPTH_MAX/)
  })

  it('tx send calls args that are not JSON a usage error', async () => {
    const {output, exitCode} = await txSend("{'key':1}")
    expect((output.error as {code: string}).code).to.equal('USAGE')
    expect((output.error as {message: string}).message).to.match(/^--args must be JSON, e.g. .* \(expected a key \(a string\) at offset 1\)$/)
    expect(exitCode).to.equal(2)
  })

  it('parseArgsFlag keeps the text as typed when a node would take it', () => {
    const text = '{ "key": "工伤-1", "hash": "ab", "n": 9007199254740991 }'
    expect(parseArgsFlag(text)).to.equal(text)
    for (const [args, pattern] of [
      ['{"n":9007199254740993}', /2\^53/],
      ['{"s":"\\ud800"}', /lone surrogate/],
      ['[1]', /object at the top level/],
      ['{"n":-0}', /negative zero/],
    ] as const) {
      const error = failure(() => parseArgsFlag(args))
      expect(error.code, args).to.equal('INVALID_TX')
      expect(error.message, args).to.match(pattern)
    }
  })

  it('argsText (contract call, node add …) refuses values no node would take', () => {
    expect(argsText({key: 'k', list: [1, 2]})).to.equal('{"key":"k","list":[1,2]}')
    let deep: unknown = {}
    for (let index = 0; index < 40; index++) deep = {deep}
    expect(failure(() => argsText(deep, 'contract arguments')).message).to.match(/^contract arguments: tx args nest deeper than 32 levels \(TX_ARGS_DEPTH_MAX\)/)
    expect(failure(() => argsText({n: 2 ** 60})).code).to.equal('INVALID_TX')
    expect(failure(() => argsText({blob: 'x'.repeat(70_000)})).code).to.equal('PAYLOAD_TOO_LARGE')
  })

  it('contract call reads --args as a node does: duplicate keys are INVALID_TX, never collapsed to the last', async () => {
    const call = (args: string) => runJson(ContractCall, [...NOWHERE, ...NO_KEY, '--name', 'counter', '--method', 'increment', '--args', args])
    const duplicate = await call('{"a":1,"a":2}')
    expect(duplicate.output).to.deep.include({error: {code: 'INVALID_TX', message: '--args: tx args have the key "a" twice in one object, at offset 7; no node would accept this tx', details: {rule: 'duplicate', offset: 7}}})
    expect(duplicate.exitCode).to.equal(4)
    expect(((await call('{"n":1e400}')).output.error as {code: string}).code).to.equal('INVALID_TX')
    const notJson = await call('{by:2}')
    expect((notJson.output.error as {code: string}).code).to.equal('USAGE')
    expect(notJson.exitCode).to.equal(2)
  })

  it('contract query refuses --args that read two ways with INVALID_ARGUMENT, before calling the node', async () => {
    const query = (args: string) => runJson(ContractQuery, [...NOWHERE, '--name', 'counter', '--method', 'get', '--args', args])
    const duplicate = await query('{"a":1,"a":2}')
    expect((duplicate.output.error as {code: string}).code).to.equal('INVALID_ARGUMENT')
    expect((duplicate.output.error as {message: string}).message).to.equal('--args have the key "a" twice in one object, at offset 7')
    expect(((await query('{"by":2')).output.error as {code: string; message: string}).code).to.equal('USAGE')
    expect(parseJsonFlag('{ "by": 2, "list": [1, "x"] }', '--args')).to.deep.equal({by: 2, list: [1, 'x']})
    expect(failure(() => parseJsonFlag('{"s":"\\udc00"}', '--args')).details).to.deep.include({rule: 'unicode'})
  })

  it('argsText signs text as given (the signed args are the user\'s text) and checks it', () => {
    const text = '{ "by": 2 }'
    expect(argsText(text)).to.equal(text)
    expect(failure(() => argsText('{"by":1,"by":2}')).code).to.equal('INVALID_TX')
  })
})
