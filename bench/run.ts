// `make bench`: every benchmark, printing ratios against a baseline measured in the same run.
import { benchNetlink } from "./netlink.ts";
import { benchStartup } from "./startup.ts";

if (process.getuid?.() !== 0) { console.error("bench: needs root (namespaces)"); process.exit(1); }
await benchStartup();
await benchNetlink();
// bench/postgres.ts (kill -9 → ready; agent boot vs direct start) hangs after its first kill in this
// revision: not yet diagnosed, so it is not part of `make bench` (see the closing note).
