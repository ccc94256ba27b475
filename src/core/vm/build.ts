/**
 * Build an AssemblyScript contract with this package's own `asc` (programmatic API): stub
 * runtime, optimized, no assertions, memory capped. The SDK in templates/contracts/sdk is on the
 * package path, so sources `import {...} from "sdk"`. The output is validated like a deploy, so
 * a build that uses floats or a foreign import fails here rather than at the chain.
 */
import {existsSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'
import {WichainError} from '../errors.js'
import {DEFAULT_MODULE_LIMITS} from './limits.js'
import {importUntransformed} from './load.js'
import {validateModule, type ModuleInfo} from './validate.js'

export interface BuildResult {
  readonly wasm: Uint8Array
  readonly size: number
  readonly info: ModuleInfo
}

export {contractTemplatesDir} from './templates.js'
import {contractTemplatesDir} from './templates.js'

export const CONTRACT_ENTRY = join('assembly', 'index.ts')
const OUTPUT_NAME = 'contract.wasm'
const DIAGNOSTICS_CHARS_MAX = 8000

function compilerArguments(outName: string): string[] {
  return [
    CONTRACT_ENTRY,
    '--path', contractTemplatesDir(),
    '--runtime', 'stub',
    '--optimizeLevel', '3',
    '--shrinkLevel', '1',
    '--noAssert',
    '--maximumMemory', String(DEFAULT_MODULE_LIMITS.memoryPagesMax),
    '--outFile', outName,
  ]
}

/** Output stream for asc that keeps what it is given, bounded. */
function captureStream(): {write(chunk: Uint8Array | string): void; toString(): string} {
  let text = ''
  return {
    write(chunk) {
      if (text.length < DIAGNOSTICS_CHARS_MAX) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    },
    toString: () => text.slice(0, DIAGNOSTICS_CHARS_MAX),
  }
}

/** Compile `<dir>/assembly/index.ts`; write the module to `outFile` if given. */
export async function buildContract(dir: string, outFile?: string): Promise<BuildResult> {
  const baseDir = resolve(dir)
  if (!existsSync(join(baseDir, CONTRACT_ENTRY))) {
    throw new WichainError('FILE_NOT_FOUND', `no contract source at ${join(baseDir, CONTRACT_ENTRY)}`)
  }
  const {default: asc} = await importUntransformed<typeof import('assemblyscript/asc')>('assemblyscript/asc')
  const outputs = new Map<string, Uint8Array>()
  const stderr = captureStream()
  const {error} = await asc.main([...compilerArguments(OUTPUT_NAME), '--baseDir', baseDir], {
    stdout: captureStream(),
    stderr,
    writeFile: (name: string, contents: Uint8Array | string) => {
      outputs.set(name, typeof contents === 'string' ? Buffer.from(contents) : contents)
    },
  })
  const wasm = outputs.get(OUTPUT_NAME)
  if (error !== null || wasm === undefined) {
    throw new WichainError('BUILD_FAILED', `asc failed for ${baseDir}: ${error?.message ?? 'no output'}\n${stderr.toString()}`.trim())
  }
  const bytes = new Uint8Array(wasm)
  const info = validateModule(bytes)
  if (outFile !== undefined) {
    await mkdir(dirname(resolve(outFile)), {recursive: true})
    await writeFile(outFile, bytes)
  }
  return Object.freeze({wasm: bytes, size: bytes.length, info})
}
