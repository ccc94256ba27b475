/**
 * README.md cannot drift from the code: its JSON-RPC section names every method the node serves
 * (and no other), and it documents every environment variable a shared CLI flag reads.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {rpcMethods} from '../../src/api/methods.js'
import * as sharedFlags from '../../src/cli/flags.js'
import {DEFAULT_RESOURCES, describePolicy} from '../../src/core/authz/index.js'

const README = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8')

/** The text of the `## title` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`)
  expect(start, `README has a "## ${title}" section`).to.be.above(-1)
  const end = README.indexOf('\n## ', start + 1)
  return README.slice(start, end === -1 ? undefined : end)
}

describe('README.md', () => {
  it('lists every registered JSON-RPC method, and only those, in its JSON-RPC section', () => {
    const text = section('JSON-RPC')
    const listed = new Set([...text.matchAll(/^\| `([a-z]+\.[a-zA-Z]+)`/gm)].map((match) => match[1]!))
    const served = Object.keys(rpcMethods)
    expect(served.length).to.be.above(0)
    for (const method of served) expect(listed, `README's JSON-RPC table lacks "${method}"`).to.include(method)
    for (const method of listed) expect(served, `README lists "${method}", which the node does not serve`).to.include(method)
  })

  it('documents every environment variable the shared CLI flags read, and WICHAIN_DEBUG', () => {
    const variables = Object.values(sharedFlags)
      .map((flag) => (flag as () => {env?: string})().env)
      .filter((env): env is string => env !== undefined)
    expect(variables).to.include.members(['WICHAIN_HOME', 'WICHAIN_RPC', 'WICHAIN_KEY'])
    const text = section('Environment variables')
    for (const variable of [...variables, 'WICHAIN_DEBUG']) expect(text, variable).to.include(`\`${variable}\``)
  })

  it('documents the default policy of every resource (the table policy list prints)', () => {
    for (const [resource, spec] of Object.entries(DEFAULT_RESOURCES)) {
      expect(README, resource).to.include(`| \`${resource}\` | ${spec.kind} | ${describePolicy(spec.policy)} | ${spec.proposers.join(', ')} |`)
    }
  })
})
