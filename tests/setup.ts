import { wiregradMatchers } from '../src/testing/matchers';

expect.extend(wiregradMatchers);
