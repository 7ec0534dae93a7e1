// The ceiling for any Node.js HTTP face on this machine: a server that reads
// each request body and answers a small JSON 200 and does nothing else: no
// parsing, no replication, no disk. vs-etcd loads it exactly like the two
// real systems, so its requests/s bound what replikit could reach here.
//
//   node dist/bench/http/noop-server.js PORT

import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
  console.error('usage: noop-server PORT');
  process.exit(2);
}
const ANSWER = '{"success":true}';
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length });
    response.end(ANSWER);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
