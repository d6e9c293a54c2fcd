import { expect, it } from '@jest/globals';
import * as api from '../src/index.js';

it('exports exactly the documented surface', () => {
  expect(Object.keys(api).sort()).toEqual(['ACTION_MODES', 'ActionInputError', 'parseActionInputs']);
});
