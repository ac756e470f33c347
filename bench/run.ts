// `make bench`: every benchmark, printing ratios against a baseline measured in the same run.
import { benchNetlink } from "./netlink.ts";
import { benchPostgres } from "./postgres.ts";
import { benchStartup } from "./startup.ts";
import { benchVmBoot } from "./vm-boot.ts";

if (process.getuid?.() !== 0) { console.error("bench: needs root (namespaces)"); process.exit(1); }
await benchStartup();
await benchNetlink();
await benchPostgres();
await benchVmBoot();
