import {expect} from 'chai'
import {LruMap} from '../../../../src/core/crypto/lru.js'

describe('core/crypto/lru', () => {
  it('keeps at most capacity entries, evicting the least recently used', () => {
    const map = new LruMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    expect(map.get('a')).to.equal(1) // a is now the most recent
    map.set('c', 3)
    expect(map.size).to.equal(2)
    expect(map.has('b')).to.equal(false)
    expect(map.get('a')).to.equal(1)
    expect(map.get('c')).to.equal(3)
    map.set('a', 10) // updating refreshes too
    map.set('d', 4)
    expect(map.has('c')).to.equal(false)
    expect(map.get('a')).to.equal(10)
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruMap(0)).to.throw(/capacity/)
    expect(() => new LruMap(1.5)).to.throw(/capacity/)
  })
})
