// User and group lookup from /etc/passwd and /etc/group under a configurable root (no NSS in the guest).
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A resolved identity for a child process. */
export interface Identity { name: string; uid: number; gid: number; groups: number[]; home: string }

function readTable(root: string, file: string): string[][] {
  try {
    return readFileSync(join(root, file), "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(":"));
  } catch {
    return [];
  }
}

/** Resolve `user` (name or numeric uid) and its groups; `groups` null means the user's /etc/group memberships. */
export function resolveIdentity(user: string, groups: string[] | null, root = "/"): Identity {
  const pw = readTable(root, "etc/passwd");
  const gr = readTable(root, "etc/group");
  const ent = pw.find((f) => f[0] === user) ?? (/^\d+$/.test(user) ? pw.find((f) => f[2] === user) : undefined);
  if (!ent) {
    if (/^\d+$/.test(user)) return { name: user, uid: Number(user), gid: Number(user), groups: [], home: "/" };
    throw new Error(`resolve user ${user}: not in ${join(root, "etc/passwd")}`);
  }
  const gid = Number(ent[3]);
  const gidOf = (g: string): number => {
    const row = gr.find((f) => f[0] === g);
    if (row) return Number(row[2]);
    if (/^\d+$/.test(g)) return Number(g);
    throw new Error(`resolve group ${g}: not in ${join(root, "etc/group")}`);
  };
  const list = groups === null
    ? gr.filter((f) => (f[3] ?? "").split(",").includes(ent[0])).map((f) => Number(f[2]))
    : groups.map(gidOf);
  const all = [...new Set([gid, ...list])].sort((a, b) => a - b);
  return { name: ent[0], uid: Number(ent[2]), gid, groups: all, home: ent[5] || "/" };
}
