// A TCP proxy that holds every chunk for a fixed delay in each direction: a database across a
// network (a runner and a managed database in one region are ~0.5-2 ms apart) on a machine
// whose loopback answers in microseconds. It runs as a process of its own, since the bench
// blocks its own event loop while a tool runs.
//
// Usage: node --import tsx bench/delay-proxy.ts <target port> <delay ms>; prints its port.
import { createConnection, createServer, type Socket } from 'node:net';

const [targetPort, delayMs] = process.argv.slice(2).map(Number);
if (!Number.isInteger(targetPort) || !(Number(delayMs) >= 0)) {
  console.error('usage: delay-proxy.ts <target port> <delay ms>');
  process.exit(2);
}

/** Everything `from` sends reaches `to` `delayMs` later, in order (timers of one duration fire in the order set). */
function forward(from: Socket, to: Socket): void {
  from.on('data', (chunk) => {
    setTimeout(() => to.writable && to.write(chunk), delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
}

const server = createServer((client) => {
  const upstream = createConnection({ host: '127.0.0.1', port: targetPort as number });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  forward(client, upstream);
  forward(upstream, client);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  console.log(address.port);
});
