/**
 * Where this package's contract templates live: a light module (no binaryen/asc) so scaffolding
 * and the compiler share one lookup.
 */
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {WichainError} from '../errors.js'

/** templates/contracts of this package, found upwards from this file (src/ or dist/ layouts). */
export function contractTemplatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let level = 0; level < 6; level++) {
    const candidate = join(dir, 'templates', 'contracts')
    if (existsSync(join(candidate, 'sdk', 'index.ts'))) return candidate
    dir = dirname(dir)
  }
  throw new WichainError('FILE_NOT_FOUND', 'templates/contracts/sdk not found next to the wichain package')
}
