// `wiregrad doctor`: what it reports with the addon, and that the self-test catches a wrong product.
import { doctorReport, gemmSelfTest } from '../src/backend/doctor';
import { loadNative, nativeBackendOf } from '../src/backend/native';
import { tsBackend } from '../src/backend/ts';

const addon = loadNative().addon;

(addon ? describe : describe.skip)('doctor', () => {
  it('names the backend, the addon, the BLAS and its threads, and passes its self-test', async () => {
    const report = await doctorReport(0.2);
    expect(report.ok).toBe(true);
    for (const label of ['backend', 'addon', 'BLAS', 'OpenMP', 'threads', 'self-test']) expect(report.text).toMatch(new RegExp(`^${label}\\s`, 'm'));
    expect(report.text).toMatch(/^self-test\s+pass: \d+ random products/m);
    if (addon!.info().blasCore) expect(report.text).toMatch(/^BLAS kernel\s+\S+/m);
    expect(report.text).toMatch(/^loops\s+vector clone (x86-64-v[34]|baseline|none)/m);
  });

  it('the self-test fails a backend that errs by 64 float64 ulps on one element of C', () => {
    const native = nativeBackendOf(addon!);
    const skewed = {
      name: 'skewed',
      gemm: (...args: Parameters<typeof tsBackend.gemm>) => {
        native.gemm(...args);
        const c = args[13];
        c[args[14]] *= 1 + 64 * 2 ** -52; // beyond 2·k·u·|A||B| whenever k is small
      },
    };
    expect(gemmSelfTest(native, 0.1).failures).toEqual([]);
    expect(gemmSelfTest(skewed, 0.1).failures.length).toBeGreaterThan(0);
  });
});
if (!addon) process.stderr.write('doctor tests skipped: the native addon did not load (see `wiregrad doctor`)\n');
