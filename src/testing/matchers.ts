import { Node } from '../graph/node';
import { gradcheck, GradcheckOptions } from './gradcheck';

/**
 * Jest matchers: `expect.extend(wiregradMatchers)`, then
 * `expect(loss).toHaveCorrectGradients()` checks every parameter the loss reads in float64.
 */
export const wiregradMatchers = {
  toHaveCorrectGradients(this: { isNot?: boolean }, received: unknown, options?: GradcheckOptions) {
    if (!(received instanceof Node)) {
      return { pass: false, message: () => `expected a wiregrad Node (a scalar loss), got ${typeof received}` };
    }
    const report = gradcheck(received, options);
    return {
      pass: report.ok,
      message: () =>
        report.ok
          ? `expected gradients of ${received.describe()} to be wrong, but ${report.message}`
          : `gradients of ${received.describe()} are wrong:\n${report.message}`,
    };
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** Checks the gradients of a scalar loss node against central differences (float64). */
      toHaveCorrectGradients(options?: GradcheckOptions): R;
    }
  }
}
