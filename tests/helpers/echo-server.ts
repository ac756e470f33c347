// A TCP server for data-path tests: greets each client with who it sees connecting.
//   echo-server.ts PORT LABEL
const [port, label] = [Number(process.argv[2]), process.argv[3] ?? "server"];
Bun.listen({
  hostname: "0.0.0.0", port,
  socket: { open(s) { s.write(`${label} sees ${s.remoteAddress}\n`); s.end(); }, data() {} },
});
console.log(`${label} listening on :${port}`);
