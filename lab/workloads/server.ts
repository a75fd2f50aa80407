/**
 * Lab server workload: listens, accepts, and closes first (so TIME_WAIT lives on the server, as with
 * HTTP/1.0-style servers) or waits for the client to close. Stops by itself after --lifetime seconds.
 * Prints "listening" once the socket is bound. Run: node --import tsx lab/workloads/server.ts --port 8080 …
 */
import { createServer } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "0.0.0.0" },
    port: { type: "string", default: "8080" },
    backlog: { type: "string", default: "511" },
    close: { type: "string", default: "server" },
    lifetime: { type: "string", default: "60" },
  },
});

let accepted = 0;
const server = createServer((socket) => {
  accepted++;
  socket.on("error", () => socket.destroy());
  if (values.close === "server") {
    socket.end("hello\n");
  } else {
    socket.on("data", () => {});
    socket.on("end", () => socket.end());
  }
});

function finish(): void {
  server.close();
  process.stdout.write(`${JSON.stringify({ accepted })}\n`);
  process.exit(0);
}

server.listen({ host: values.host, port: Number(values.port), backlog: Number(values.backlog) }, () => {
  process.stdout.write(`listening ${values.host}:${values.port}\n`);
});
server.on("error", (error) => {
  process.stderr.write(`server error: ${String(error)}\n`);
  process.exit(1);
});
setTimeout(finish, Number(values.lifetime) * 1000).unref();
process.on("SIGTERM", finish);
process.on("SIGINT", finish);
