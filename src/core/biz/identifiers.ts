/**
 * Identifiers of the work-injury business records, checked before anything is encrypted or sent
 * (issue 11): the unified social credit code of an employer (GB 32100-2015, check character), the
 * resident identity number of a person (GB 11643-1999, check digit and birth date), and bank card
 * numbers (Luhn; a failure is only a warning: real cards fail it). Pure functions.
 */

/** GB 32100-2015: the 31 characters a credit code uses (no I, O, S, V, Z), by value. */
const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
const CREDIT_CODE_RE = /^[0-9A-HJ-NPQRTUWXY]{18}$/

/** The check character (18th) of the first 17 characters of a credit code. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_CHARS.indexOf(first17[i]!) * CREDIT_CODE_WEIGHTS[i]!
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31]!
}

/** Why `code` is not a valid unified social credit code, or undefined when it is. */
export function creditCodeProblem(code: string): string | undefined {
  if (!CREDIT_CODE_RE.test(code)) return 'a credit code is 18 characters of 0-9 and A-Y without I, O, S, V, Z (GB 32100)'
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) return `the check character of ${code} should be ${creditCodeCheckChar(code.slice(0, 17))} (GB 32100)`
  return undefined
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'
const ID_RE = /^[1-9]\d{16}[\dX]$/

/** The check digit (18th character, 0-9 or X) of the first 17 digits of an identity number. */
export function idNumberCheckDigit(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!
  return ID_CHECK[sum % 11]!
}

/** Why `id` is not a valid 18-digit resident identity number, or undefined when it is. */
export function idNumberProblem(id: string, today = new Date()): string | undefined {
  const value = id.toUpperCase()
  if (!ID_RE.test(value)) return 'an identity number is 17 digits and a check digit 0-9 or X (GB 11643)'
  const birth = value.slice(6, 14)
  const date = new Date(`${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}T00:00:00Z`)
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10).replaceAll('-', '') !== birth) return `${birth} is not a date of birth`
  if (date.getTime() > today.getTime() || date.getUTCFullYear() < 1900) return `${birth} is not a plausible date of birth`
  if (idNumberCheckDigit(value.slice(0, 17)) !== value[17]) return `the check digit of the identity number should be ${idNumberCheckDigit(value.slice(0, 17))} (GB 11643)`
  return undefined
}

/** Whether a card number (digits, spaces allowed) passes the Luhn check. */
export function luhnValid(card: string): boolean {
  const digits = card.replaceAll(' ', '')
  if (!/^\d{12,19}$/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return sum % 10 === 0
}
