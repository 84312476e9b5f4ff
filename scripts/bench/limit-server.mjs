// The limit: a bare node:http server that replays, for each host + URL, the
// exact status, headers and body modgate answered (captured by servers.ts).
// Node adds Date, Connection and Keep-Alive itself, as it does for modgate.
// Plain JavaScript run by plain `node`, so no loader sits in its process.
//   node scripts/bench/limit-server.mjs REPLAY.json
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const entries = JSON.parse(readFileSync(process.argv[2], "utf8"));
const routes = new Map(entries.map((e) => [e.key, { status: e.status, headers: e.headers, body: Buffer.from(e.body, "base64") }]));

const server = createServer((req, res) => {
  const route = routes.get(req.headers.host + req.url);
  if (route === undefined) {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end("limit server: no recorded answer for this host and URL\n");
    return;
  }
  res.writeHead(route.status, route.headers); // headers: a flat [name, value, ...] list
  res.end(route.body);
});

server.listen(0, "127.0.0.1", () => {
  process.stderr.write(`limit: listening on http://127.0.0.1:${server.address().port} (${routes.size} answers)\n`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
