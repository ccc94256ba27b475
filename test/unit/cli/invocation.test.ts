/**
 * The command `wichain up` prints to try next must work as printed (cli/invocation.ts): `wichain`
 * only when the first `wichain` on PATH is this installation, `npx wichain` inside the checkout,
 * `node …/bin/run.js` anywhere else. The last two are run for real in a shell.
 */
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {PACKAGE_ROOT, shellCommand} from '../../../src/cli/invocation.js'

const run = promisify(execFile)

describe('cli: the invocation printed in hints', function () {
  this.timeout(60_000)
  let scratch: string
  before(() => (scratch = mkdtempSync(join(tmpdir(), 'wichain-invocation-'))))
  after(() => rmSync(scratch, {recursive: true, force: true}))

  it('is `wichain` only when the first wichain on PATH is this one (npm link)', () => {
    const linked = join(scratch, 'linked')
    const other = join(scratch, 'other')
    mkdirSync(linked)
    mkdirSync(other)
    symlinkSync(join(PACKAGE_ROOT, 'bin', 'run.js'), join(linked, 'wichain'))
    writeFileSync(join(other, 'wichain'), '#!/bin/sh\n', {mode: 0o755})
    expect(shellCommand({path: `${linked}:/usr/bin`, cwd: scratch})).to.equal('wichain')
    expect(shellCommand({path: `${other}:${linked}`, cwd: scratch})).not.to.equal('wichain')
    expect(shellCommand({path: '/usr/bin:/bin', cwd: scratch})).to.equal(`node ${join(PACKAGE_ROOT, 'bin', 'run.js')}`)
    expect(shellCommand({path: '/usr/bin:/bin', cwd: join(PACKAGE_ROOT, 'test')})).to.equal('npx wichain')
  })

  it('runs as printed, outside the checkout and inside it', async () => {
    const env = {...process.env, PATH: (process.env.PATH ?? '').split(':').filter((dir) => !dir.includes('node_modules')).join(':')}
    for (const cwd of [scratch, PACKAGE_ROOT]) {
      const command = shellCommand({path: env.PATH, cwd})
      expect(command).not.to.equal('wichain')
      const {stdout} = await run('sh', ['-c', `${command} --version`], {cwd, env})
      expect(stdout, `${command} in ${cwd}`).to.match(/^wichain\/\d+\.\d+\.\d+ /)
    }
  })
})
