/**
 * The command surface is a promise to operators' scripts (CLI.md): command ids, aliases, flags
 * and args change only on purpose. This compares the oclif manifest with a committed snapshot;
 * after an intended change run `UPDATE_SNAPSHOT=1 npx mocha test/unit/cli/commands.test.ts`.
 */
import {expect} from 'chai'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const MANIFEST = join(here, '../../../oclif.manifest.json')
const SNAPSHOT = join(here, 'commands.snapshot.json')

interface ManifestCommand {
  aliases: string[]
  args: Record<string, {required?: boolean}>
  flags: Record<string, {type: string; required?: boolean; hidden?: boolean; options?: string[]; allowNo?: boolean}>
}

function surface(): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {commands: Record<string, ManifestCommand>}
  return Object.fromEntries(
    Object.keys(manifest.commands)
      .sort()
      .map((id) => {
        const command = manifest.commands[id]!
        const flags = Object.fromEntries(
          Object.keys(command.flags)
            .sort()
            .filter((name) => command.flags[name]!.hidden !== true)
            .map((name) => {
              const flag = command.flags[name]!
              return [name, {type: flag.type, required: flag.required === true, ...(flag.options ? {options: flag.options} : {}), ...(flag.allowNo ? {allowNo: true} : {})}]
            }),
        )
        const args = Object.fromEntries(Object.entries(command.args).map(([name, arg]) => [name, {required: arg.required === true}]))
        return [id, {aliases: [...command.aliases].sort(), args, flags}]
      }),
  )
}

describe('cli: command surface', () => {
  it('matches the committed snapshot (CLI.md promises)', function () {
    if (!existsSync(MANIFEST)) throw new Error('oclif.manifest.json missing: run `npm run build` first')
    const current = surface()
    if (process.env.UPDATE_SNAPSHOT === '1' || !existsSync(SNAPSHOT)) writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`)
    expect(current).to.deep.equal(JSON.parse(readFileSync(SNAPSHOT, 'utf8')))
  })

  it('gives every command --json', () => {
    for (const [id, command] of Object.entries(surface())) {
      expect((command as {flags: Record<string, unknown>}).flags, id).to.have.property('json')
    }
  })

  it('keeps the CLI.md floor: these commands and aliases exist', () => {
    const current = surface()
    const floor = ['key gen', 'key export', 'key sign', 'key verify', 'chain init', 'node start', 'node stop', 'node status', 'tx send', 'tx get', 'tx proof', 'block get', 'cert verify', 'bench crypto', 'up', 'down']
    for (const id of floor) expect(current, id).to.have.property(id.replace(' ', ':'))
    const aliases = Object.values(current).flatMap((command) => (command as {aliases: string[]}).aliases)
    expect(aliases).to.include.members(['init-chain', 'start-node', 'stop-node'])
  })
})
