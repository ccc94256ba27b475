/**
 * How a human runs this wichain from the current shell, for commands to print in hints: `wichain`
 * when the first `wichain` on PATH is this installation (npm link, a global install), `npx
 * wichain` inside this checkout (npm resolves the package's own bin there, and nowhere else),
 * else `node <path of bin/run.js>`.
 */
import {existsSync, realpathSync} from 'node:fs'
import {delimiter, dirname, isAbsolute, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The package root (this file is src/cli/ or dist/cli/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

const real = (path: string): string | undefined => {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

const inside = (dir: string, root: string): boolean => {
  const rel = relative(root, dir)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

export function shellCommand(options: {path?: string; cwd?: string; root?: string} = {}): string {
  const root = options.root ?? PACKAGE_ROOT
  const bin = join(root, 'bin', 'run.js')
  const firstOnPath = (options.path ?? process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'wichain'))
    .find((candidate) => existsSync(candidate))
  if (firstOnPath !== undefined && real(firstOnPath) === real(bin)) return 'wichain'
  const cwd = real(options.cwd ?? process.cwd()) ?? options.cwd ?? process.cwd()
  if (inside(cwd, real(root) ?? root)) return 'npx wichain'
  return /^[\w@%+=:,./-]+$/.test(bin) ? `node ${bin}` : `node '${bin.replaceAll("'", "'\\''")}'`
}
