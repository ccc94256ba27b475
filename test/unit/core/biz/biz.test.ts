import {expect} from 'chai'
import {monthlyAllowanceFen, monthlyCareFeeFen, oneTimeSubsidyFen} from '../../../../src/core/biz/benefits.js'
import {creditCodeCheckChar, creditCodeProblem, idNumberCheckDigit, idNumberProblem, luhnValid} from '../../../../src/core/biz/identifiers.js'
import {maskAddress, maskBankCard, maskIdNumber, maskName, maskPhone} from '../../../../src/core/biz/masking.js'

describe('core/biz/identifiers', () => {
  it('GB 32100 credit codes: published examples pass, a changed character fails', () => {
    // Codes of well-known registrants, as published (check character included).
    for (const code of ['91350100M000100Y43', '91110000600037341L', '911100001000044477']) expect(creditCodeProblem(code), code).to.equal(undefined)
    expect(creditCodeProblem('91350100M000100Y44')).to.match(/check character .* should be 3/)
    expect(creditCodeProblem('91350100M000100YI3')).to.match(/18 characters/)
    expect(creditCodeProblem('9135')).to.match(/18 characters/)
    expect(creditCodeCheckChar('91350100M000100Y4')).to.equal('3')
  })

  it('GB 11643 identity numbers: the standard example, X check digits, bad dates and digits', () => {
    expect(idNumberProblem('11010519491231002X')).to.equal(undefined) // the standard's own example
    expect(idNumberProblem('11010519491231002x')).to.equal(undefined)
    expect(idNumberCheckDigit('11010519491231002')).to.equal('X')
    expect(idNumberProblem('110105194912310021')).to.match(/check digit .* should be X/)
    expect(idNumberProblem('110105194902300029')).to.match(/not a date of birth/)
    expect(idNumberProblem('110105209912310021', new Date('2026-12-06'))).to.match(/plausible/)
    expect(idNumberProblem('1101051949123100')).to.match(/17 digits/)
  })

  it('Luhn: a valid test card passes, one changed digit fails, junk fails', () => {
    expect(luhnValid('4111 1111 1111 1111')).to.equal(true)
    expect(luhnValid('4111111111111112')).to.equal(false)
    expect(luhnValid('12ab')).to.equal(false)
  })
})

describe('core/biz/masking', () => {
  const table: [string, (value: string) => string, string, string][] = [
    ['ID number', maskIdNumber, '140102199003071234', '1401**********1234'],
    ['bank card (16)', maskBankCard, '6222021234561234', '6222 **** **** 1234'],
    ['bank card (19)', maskBankCard, '6222 0212 3456 7890 123', '6222 **** **** *** 0123'],
    ['name (2)', maskName, '张三', '张*'],
    ['name (4)', maskName, '欧阳娜娜', '欧***'],
    ['phone', maskPhone, '13812341234', '138****1234'],
    ['address', maskAddress, '山西省太原市小店区长治路1号', '山西省太原市****'],
    ['short ID', maskIdNumber, '1234', '****'],
  ]
  for (const [what, mask, plain, masked] of table) {
    it(`${what}: ${masked}`, () => expect(mask(plain)).to.equal(masked))
  }
})

describe('core/biz/benefits (工伤保险条例 arts. 34–37)', () => {
  it('one-time subsidy months, monthly allowance and care fee by grade and dependency, in fen', () => {
    const wage = 600_000 // 6,000.00 yuan a month
    expect([1, 5, 10].map((grade) => oneTimeSubsidyFen(grade, wage))).to.deep.equal([27 * wage, 18 * wage, 7 * wage])
    expect([1, 6, 7].map((grade) => monthlyAllowanceFen(grade, wage))).to.deep.equal([540_000, 360_000, 0])
    expect(monthlyAllowanceFen(4, 333_333)).to.equal(250_000) // 75 %, rounded half up to the fen
    expect(monthlyCareFeeFen('complete', 700_001)).to.equal(350_001)
    expect(monthlyCareFeeFen('partial', 700_000)).to.equal(210_000)
    expect(() => oneTimeSubsidyFen(11, wage)).to.throw(/grade/)
    expect(() => oneTimeSubsidyFen(3, -1)).to.throw(/fen/)
    expect(() => monthlyAllowanceFen(2, 1.5)).to.throw(/fen/)
  })
})
