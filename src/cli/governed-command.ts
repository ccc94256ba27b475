/**
 * The base of commands whose action is governed on a consortium chain (cli/governance.ts): the
 * direct tx on a version 1 chain, a proposal on a version 2 one; the action's result as before
 * (plus `proposal`) when it ran, the proposal while it is voting (with a note on stderr).
 */
import type {Command} from '@oclif/core'
import {WichainCommand} from './base.js'
import {governedResult, sendGoverned, votingNote, type GovernedOptions} from './governance.js'
import type {CommittedReceipt, TxRequestJson} from './send.js'

export abstract class GovernedCommand<T extends typeof Command> extends WichainCommand<T> {
  protected async governed(request: TxRequestJson & {readonly args: object}, shape: (committed: CommittedReceipt) => object, options: {consortium?: boolean} = {}): Promise<object> {
    const outcome = await sendGoverned(this.flags as GovernedOptions, request, options)
    const result = governedResult(outcome, shape)
    const note = votingNote(result)
    if (note !== undefined) this.note(note)
    return result
  }
}
