import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { findTopLevelId, replaceTopLevelId } from '../src/raw-json.js';

describe('replaceTopLevelId', () => {
  describe('when the response has exactly one top-level id', () => {
    it.each([
      ['{"jsonrpc":"2.0","id":"abc","result":{"id":"nested"}}', '{"jsonrpc":"2.0","id":7,"result":{"id":"nested"}}'],
      ['{"result":{"content":[{"text":"\\"id\\":1"}]},"jsonrpc":"2.0","id":"abc"}', '{"result":{"content":[{"text":"\\"id\\":1"}]},"jsonrpc":"2.0","id":7}'],
      [' { "id" : "abc" , "result" : [1,{"a":"}"}] } ', ' { "id" : 7 , "result" : [1,{"a":"}"}] } '],
    ])('replaces only the top-level id in %s', (input, expected) => {
      expect(replaceTopLevelId(input, '7')).toBe(expected);
    });
  });

  describe('when replacing would be unsafe', () => {
    it.each([
      ['duplicate id keys', '{"id":"a","id":"b","result":{}}'],
      ['duplicate result keys', '{"id":"a","result":{},"result":{"x":1}}'],
      ['an escaped key', '{"\\u0069d":"a","result":{}}'],
      ['no id', '{"result":{}}'],
      ['an array', '[{"id":"a"}]'],
    ])('refuses %s', (_name, input) => {
      expect(replaceTopLevelId(input, '7')).toBeUndefined();
    });
  });

  it('agrees with JSON.parse on generated objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string().filter((k) => k !== 'id'), fc.jsonValue(), { maxKeys: 5 }), fc.jsonValue(), (rest, idValue) => {
        const text = JSON.stringify({ ...rest, id: idValue });
        const span = findTopLevelId(text);
        if (Object.keys(rest).some((k) => JSON.stringify(k).includes('\\'))) return;
        expect(span).toBeDefined();
        expect(JSON.parse(text.slice(span!.start, span!.end))).toEqual(JSON.parse(JSON.stringify(idValue)));
        const replaced = replaceTopLevelId(text, '"X"');
        expect(JSON.parse(replaced!)).toEqual({ ...JSON.parse(text), id: 'X' });
      }),
      { numRuns: 300 },
    );
  });
});
