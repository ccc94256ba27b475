/**
 * Masking (脱敏) of personal fields on output (issue 11, spec §5.3 and §8.1.1): what every reader
 * without `biz.read.plain` in an authorised organisation sees. Pure functions of the plaintext;
 * the unmasked value never leaves the reader's own decryption.
 */

/** `140102199003071234` → `1401**********1234`: the region prefix and the last four. */
export function maskIdNumber(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length)
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`
}

/** `6222021234567890123` → `6222 **** **** *** 0123`: the issuer prefix and the last four. */
export function maskBankCard(card: string): string {
  const digits = card.replaceAll(' ', '')
  if (digits.length <= 8) return '*'.repeat(digits.length)
  const middle = '*'.repeat(digits.length - 8).match(/.{1,4}/g)!.join(' ')
  return `${digits.slice(0, 4)} ${middle} ${digits.slice(-4)}`
}

/** `张三` → `张*`, `欧阳娜娜` → `欧***`: the family name's first character. */
export function maskName(name: string): string {
  const characters = [...name]
  if (characters.length <= 1) return '*'
  return `${characters[0]}${'*'.repeat(characters.length - 1)}`
}

/** `13812341234` → `138****1234`. */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length)
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`
}

/** An address keeps its first six characters (province and city), the rest is masked. */
export function maskAddress(address: string): string {
  const characters = [...address]
  return `${characters.slice(0, 6).join('')}${characters.length > 6 ? '****' : ''}`
}
