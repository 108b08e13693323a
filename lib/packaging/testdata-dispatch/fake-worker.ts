/**
 * A stand-in warm worker for dispatch.test.ts: speaks the wire format (lib/juju/worker/protocol.ts)
 * on the FIFOs the test made, and answers every request as its scenario says, without running
 * any hook. Usage: `node fake-worker.ts <worker dir> <scenario>`.
 *
 * It opens the FIFOs as the real worker does (O_RDWR | O_NONBLOCK: never blocks, never sees EOF),
 * writes `ready` with its own pid and start time, then prints `ready` on stdout for the test.
 * Every request line it gets is appended to `<worker dir>/requests.log` before it answers.
 */
import { appendFileSync, constants, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { onLines, startTimeOf } from '../../juju/worker/protocol.ts';

const [dir, scenario] = process.argv.slice(2) as [string, string];
const { O_RDWR, O_NONBLOCK } = constants;
const rep = openSync(join(dir, 'rep'), O_RDWR | O_NONBLOCK);
const req = new Socket({ fd: openSync(join(dir, 'req'), O_RDWR | O_NONBLOCK), readable: true, writable: false });
const send = (...lines: string[]): void => { writeSync(rep, lines.map((l) => `${l}\n`).join('')); };

/** Lines a dead client left in `rep`; the next client must skip them. */
if (scenario === 'answer') send('1.1 o stale-out', '1.1 e stale-err', '1.1 x 7');

function answer(nonce: string): void {
  switch (scenario) {
    case 'answer':
      // Before the hook's lines: another client's, and one whose nonce merely starts with ours.
      send('2.2 x 9', `${nonce} s`, `${nonce}9 o not-mine`, `${nonce} o hello`, `${nonce} e oops`, `${nonce}9 x 8`, `${nonce} x 3`);
      break;
    case 'ok': send(`${nonce} s`, `${nonce} o warm`, `${nonce} x 0`); break;
    case 'split-line':
      // A line cut by a pause longer than the client's 1 s read timeout: it must arrive whole.
      writeSync(rep, `${nonce} s\n${nonce} o hel`);
      setTimeout(() => send(`lo`, `${nonce} x 0`), 1500);
      break;
    case 'busy': send(`${nonce} b`); break;
    case 'refuse': send(`${nonce} r`); break;
    case 'exit-before-start': process.exit(0); break;
    case 'exit-after-start': send(`${nonce} s`); process.exit(0); break;
    default: throw new Error(`unknown scenario ${scenario}`);
  }
}

onLines(req, (line) => {
  appendFileSync(join(dir, 'requests.log'), `${line}\n`);
  answer(line.split(' ')[1] ?? '');
});

writeFileSync(join(dir, 'ready.tmp'), `${process.pid} ${startTimeOf(readFileSync('/proc/self/stat', 'latin1'))}\n`);
renameSync(join(dir, 'ready.tmp'), join(dir, 'ready'));
process.stdout.write('ready\n');
