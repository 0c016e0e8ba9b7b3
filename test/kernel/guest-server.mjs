// The guest command server: runs inside the test bed's guest, chrooted into the host's root, with the
// host's Node.js. It speaks newline-delimited JSON over the virtio-serial port given as argv[2]
// (the host side is test/src/kernel/guest-channel.ts; keep the two in step).
//
// host → guest: {t:'spawn', id, cmd, env?, cwd?}   run `/bin/sh -c cmd`
//               {t:'kill', id, signal}
// guest → host: {t:'ready', pid, uptimeMs}          once, when the server is listening
//               {t:'out', id, fd: 1|2, data}         data is base64
//               {t:'exit', id, code, signal}         code is null when killed by a signal
//               {t:'error', id, message}             the command could not be started
// Plain JavaScript without dependencies so that it starts fast under emulation.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { createReadStream, createWriteStream, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const portPath = process.argv[2];
if (!portPath) {
  process.stderr.write('usage: guest-server.mjs <virtio-serial port>\n');
  process.exit(2);
}

// A virtio-serial port can be open only once (EBUSY), so one read-write descriptor serves both ways.
const fd = openSync(portPath, 'r+');
const out = createWriteStream(null, { fd, autoClose: false });
const input = createReadStream(null, { fd, autoClose: false, highWaterMark: 64 * 1024 });
const children = new Map();

function send(message) {
  out.write(`${JSON.stringify(message)}\n`);
}

function startChild(message) {
  const { id, cmd } = message;
  let child;
  try {
    child = spawn('/bin/sh', ['-c', cmd], {
      cwd: message.cwd ?? '/',
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/tmp', ...(message.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (err) {
    send({ t: 'error', id, message: String(err) });
    return;
  }
  children.set(id, child);
  child.stdout.on('data', (chunk) => send({ t: 'out', id, fd: 1, data: chunk.toString('base64') }));
  child.stderr.on('data', (chunk) => send({ t: 'out', id, fd: 2, data: chunk.toString('base64') }));
  child.on('error', (err) => send({ t: 'error', id, message: String(err) }));
  child.on('close', (code, signal) => {
    children.delete(id);
    send({ t: 'exit', id, code, signal });
  });
}

function killChild(message) {
  const child = children.get(message.id);
  if (!child || child.pid === undefined) return;
  try {
    // The child leads its own process group (detached), so the whole command line gets the signal.
    process.kill(-child.pid, message.signal ?? 'SIGTERM');
  } catch {
    // Already gone: its 'exit' message follows or has been sent.
  }
}

createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
  if (line.trim() === '') return;
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    process.stderr.write(`guest-server: ignoring a malformed line: ${line.slice(0, 200)}\n`);
    return;
  }
  if (message.t === 'spawn') startChild(message);
  else if (message.t === 'kill') killChild(message);
});

const uptimeSeconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
send({ t: 'ready', pid: process.pid, uptimeMs: Math.round(uptimeSeconds * 1000) });
