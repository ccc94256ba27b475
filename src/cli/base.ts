/**
 * The base of every command: `--json` (oclif's enableJsonFlag), one error path that turns any
 * failure into `{"error":{code,message}}` on stdout (JSON mode) or a one-line message on stderr,
 * and the exit code from the error table. Commands implement `execute()` returning a plain
 * object and may override `render()` for human output. `warning()` flags something the operator
 * must know (a key written unencrypted): a `Warning:` line on stderr, and the result gains a
 * `warnings` array, so `--json` callers see it while stdout stays one JSON document.
 */
import {Command, type Interfaces} from '@oclif/core'
import {ERROR_CODES, toWichainError, WichainError} from '../core/errors.js'
import {renderValue} from './output.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof WichainCommand)['baseFlags'] & T['flags']>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

function isUsageError(error: unknown): boolean {
  const oclif = (error as {oclif?: {exit?: number}}).oclif
  return oclif?.exit === 2 || /Parse|Flag|Arg/.test((error as Error)?.constructor?.name ?? '')
}

export abstract class WichainCommand<T extends typeof Command> extends Command {
  static enableJsonFlag = true
  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  private readonly warnings: string[] = []

  public async init(): Promise<void> {
    await super.init()
    const {args, flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof WichainCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
  }

  protected abstract execute(): Promise<object>

  public async run(): Promise<object> {
    const result = await this.execute()
    if (!this.jsonEnabled()) this.render(result)
    return this.warnings.length === 0 || Array.isArray(result) ? result : {...result, warnings: [...this.warnings]}
  }

  /** Something the operator must know though the command succeeds: stderr now, `warnings` in the result. */
  protected warning(message: string): void {
    this.warnings.push(message)
    process.stderr.write(`Warning: ${message}\n`)
  }

  /** Human output; the default prints the result as aligned key/value lines. */
  protected render(result: object): void {
    this.log(renderValue(result))
  }

  /** A line for humans on stderr (never pollutes JSON on stdout). */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`)
  }

  protected async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    const failure = isUsageError(error) ? new WichainError('USAGE', error.message) : toWichainError(error)
    process.exitCode = ERROR_CODES[failure.code].exit
    if (this.jsonEnabled()) {
      process.stdout.write(JSON.stringify({error: failure.toObject()}, null, 2) + '\n')
    } else {
      process.stderr.write(`Error [${failure.code}]: ${failure.message}\n`)
      if (process.env.WICHAIN_DEBUG && failure.code === 'INTERNAL') process.stderr.write(`${(failure.cause as Error)?.stack ?? ''}\n`)
    }
    return undefined
  }
}
