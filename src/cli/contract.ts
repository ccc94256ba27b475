/**
 * Helpers of the `contract` commands: shared flags, reading a WASM file into deploy arguments,
 * and scaffolding a contract project from templates/contracts.
 */
import {Flags} from '@oclif/core'
import {cp, mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {existsSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {parseStrictJson, strictJsonRule, type JsonValue} from '../core/codec/strict-json.js'
import {WichainError} from '../core/errors.js'
import {TX_ARGS_LIMITS, TX_LIMITS} from '../core/types/tx.js'
import {readInputFile} from './context.js'
import {contractTemplatesDir} from '../core/vm/templates.js'

export const nameFlag = Flags.custom<string>({description: 'contract name on the chain (e.g. counter)'})
export const argsFlag = Flags.custom<string>({description: 'JSON arguments of the method', default: '{}'})

/**
 * A JSON flag that is not a tx's args (`contract query --args`; a tx's go through send.ts
 * parseArgsFlag), read by the strict parser within the tx args limits, as a node reads tx args:
 * text that is not JSON is USAGE; JSON that two parsers could read two ways (a duplicate key, a
 * lone surrogate, an unsafe number) or beyond those limits is INVALID_ARGUMENT. JSON.parse would
 * silently keep the last of duplicate keys.
 */
export function parseJsonFlag(text: string, flag: string): JsonValue {
  try {
    return parseStrictJson(text, {limits: TX_ARGS_LIMITS, limitsName: 'TX_ARGS', what: flag, code: 'INVALID_ARGUMENT'})
  } catch (error) {
    if (strictJsonRule(error) !== 'syntax') throw error
    throw new WichainError('USAGE', `${flag} must be JSON, e.g. '{"by":2}' (${(error as WichainError).message.replace(/^.* are not valid JSON: /, '')})`)
  }
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d]
/** Room in the tx args for the JSON around the code: {"name":…,"code":"…","version":…}. */
const ARGS_OVERHEAD_BYTES = 256

/** Largest module a deploy tx can carry as base64 (3 bytes → 4 characters). */
export const WASM_BYTES_MAX_IN_TX = Math.floor((TX_LIMITS.argsBytesMax - ARGS_OVERHEAD_BYTES) / 4) * 3

/** deploy/upgrade arguments for a WASM file: the code as base64 (a third smaller than hex). */
export function codeArgs(name: string, wasmFile: string, versionTag: string | undefined): Record<string, unknown> {
  const code = readInputFile(wasmFile, 'WASM file')
  if (code.length < 8 || WASM_MAGIC.some((byte, index) => code[index] !== byte)) {
    throw new WichainError('INVALID_WASM', `${wasmFile} is not a WebAssembly module (no \\0asm header); build one with \`wichain contract build\``)
  }
  if (code.length > WASM_BYTES_MAX_IN_TX) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `${wasmFile} is ${code.length} bytes; a deploy tx carries at most ${WASM_BYTES_MAX_IN_TX} bytes of WASM (tx args limit ${TX_LIMITS.argsBytesMax} bytes, base64)`)
  }
  return {name, code: code.toString('base64'), ...(versionTag === undefined ? {} : {version: versionTag})}
}

/** templates/contracts of this package (the lookup the compiler uses too). */
export const templatesDir = contractTemplatesDir

export async function contractTemplates(templatesDir: string): Promise<string[]> {
  const entries = await readdir(templatesDir, {withFileTypes: true})
  return entries.filter((entry) => entry.isDirectory() && entry.name !== 'sdk' && existsSync(join(templatesDir, entry.name, 'assembly'))).map((entry) => entry.name).sort()
}

async function checkTarget(dir: string): Promise<void> {
  if (!existsSync(dir)) return
  const entries = await readdir(dir)
  if (entries.length > 0) throw new WichainError('NOT_EMPTY', `${dir} is not empty; give a new or empty directory`)
}

/**
 * Copy template `name` into `dir` with a copy of the SDK beside its sources, and point the
 * asconfig at it, so `npx asc --config asconfig.json` builds the project on its own.
 * (`wichain contract build` compiles against the SDK of the installed wichain, the one whose
 * host API the chain implements.)
 */
export async function scaffoldContract(templatesDir: string, template: string, target: string): Promise<{dir: string; files: string[]}> {
  const available = await contractTemplates(templatesDir)
  if (!available.includes(template)) throw new WichainError('INVALID_ARGUMENT', `no contract template "${template}" (have: ${available.join(', ')})`)
  const dir = resolve(target)
  await checkTarget(dir)
  await mkdir(dir, {recursive: true})
  await cp(join(templatesDir, template), dir, {recursive: true})
  await cp(join(templatesDir, 'sdk'), join(dir, 'sdk'), {recursive: true})
  const configPath = join(dir, 'asconfig.json')
  const config = JSON.parse(await readFile(configPath, 'utf8')) as {options?: Record<string, unknown>}
  config.options = {...config.options, path: ['.']}
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`)
  await writeFile(join(dir, '.gitignore'), 'build/\n')
  return {dir, files: await listFiles(dir)}
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(join(dir, prefix), {withFileTypes: true})) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`
    if (entry.isDirectory()) files.push(...(await listFiles(dir, path)))
    else files.push(path)
  }
  return files.sort()
}
