import { didYouMean, editDistance } from '../../src/routes/did-you-mean';

describe('didYouMean', () => {
  const keys = ['arn', 'weight', 'detailType', 'source', 'groupBy'];

  it('finds swapped, missing, extra and wrongly cased letters', () => {
    expect(didYouMean('weigth', keys)).toBe('weight');
    expect(didYouMean('wieght', keys)).toBe('weight');
    expect(didYouMean('weigh', keys)).toBe('weight');
    expect(didYouMean('detailtype', keys)).toBe('detailType');
    expect(didYouMean('groupby', keys)).toBe('groupBy');
    expect(didYouMean('ar', keys)).toBe('arn');
  });

  it('suggests nothing for keys that are not close', () => {
    expect(didYouMean('color', keys)).toBeUndefined();
    expect(didYouMean('id', keys)).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('weigth', 'weight')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
