import { doctorReport } from '../backend/doctor';
import { Command } from './command';
import { FlagDef, helpText, parseCommand } from './flags';

const flags: readonly FlagDef[] = [];

/** Which backend runs the products and whether it computes them right. */
export const doctor: Command = {
  name: 'doctor',
  summary: 'show the backend in use (addon, BLAS, OpenMP, threads) and self-test it for a second',
  get help() {
    return helpText(
      'wiregrad doctor',
      'Prints the backend in use, the addon file, the BLAS library with its configuration and kernel, OpenMP and thread\n' +
        'counts, then checks random native products against the TypeScript reference for one second. Exit code 1 when a\n' +
        'product is wrong or WIREGRAD_STRICT_NATIVE / WIREGRAD_BACKEND=native cannot be met.',
      [],
      flags,
    );
  },
  async run(argv) {
    const line = parseCommand('doctor', this.help, argv, flags, []);
    if (!line) return 0;
    const report = await doctorReport();
    process.stdout.write(report.text);
    return report.ok ? 0 : 1;
  },
};
