#!/usr/bin/env node
/**
 * Builds the optional native SM2 addon (native/ → native/build/Release/wichain_sm2.node) with
 * the node-gyp that npm bundles. It never fails the surrounding install: on any problem it prints
 * a warning and exits 0, and wichain verifies SM2 in pure JS (same results, ~4× slower).
 *
 *   node scripts/build-native.mjs            build (warn on failure)
 *   node scripts/build-native.mjs --strict   exit 1 on failure (CI that requires the addon)
 *   WICHAIN_NATIVE_SM2=off                   skip the build (and the addon at run time)
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const NATIVE_DIRECTORY = join(ROOT, 'native')
const ADDON_PATH = join(NATIVE_DIRECTORY, 'build', 'Release', 'wichain_sm2.node')
const BUILD_TIMEOUT_MS = 5 * 60_000
const strict = process.argv.includes('--strict')

function finish(problem) {
  if (problem === undefined) {
    console.log(`wichain: native SM2 addon built: ${ADDON_PATH}`)
    process.exit(0)
  }
  console.warn(`wichain: native SM2 addon not built (${problem}); SM2 verification uses pure JS.`)
  process.exit(strict ? 1 : 0)
}

/** npm's bundled node-gyp: npm names it in scripts; otherwise look next to npm and node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]
  try {
    candidates.push(createRequire(join(ROOT, 'package.json')).resolve('node-gyp/bin/node-gyp.js'))
  } catch {
    // not installed locally: fine, npm's copy serves
  }
  return candidates.find((candidate) => typeof candidate === 'string' && candidate !== '' && existsSync(candidate))
}

/** Node's own headers (they carry openssl/*.h) when installed next to the binary: no download. */
function nodeDirectoryArguments() {
  if (process.env.npm_config_nodedir) return [] // node-gyp reads it itself
  const prefix = resolve(dirname(process.execPath), '..')
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : []
}

function main() {
  if (process.env.WICHAIN_NATIVE_SM2 === 'off') finish('WICHAIN_NATIVE_SM2=off')
  if (!existsSync(join(NATIVE_DIRECTORY, 'binding.gyp'))) finish('native/binding.gyp is missing')
  const nodeGyp = findNodeGyp()
  if (nodeGyp === undefined) finish('node-gyp not found')
  const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--loglevel=warn', ...nodeDirectoryArguments()], {
    cwd: NATIVE_DIRECTORY,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: BUILD_TIMEOUT_MS,
  })
  if (build.error !== undefined) finish(`node-gyp did not run: ${build.error.message}`)
  if (build.status !== 0) finish(`node-gyp exited with ${build.status ?? build.signal}`)
  // Load it in a separate process: a bad build must not be found first by the node itself.
  const load = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(ADDON_PATH)})`], {encoding: 'utf8', timeout: 30_000})
  if (load.status !== 0) finish(`the built addon does not load: ${(load.stderr || '').trim().split('\n')[0]}`)
  finish(undefined)
}

main()
