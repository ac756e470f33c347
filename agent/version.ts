// Build identity, printed by `version` and in status.
declare const SOVEREIGN_VERSION: string | undefined;

/** Agent version; build.ts injects the git description at compile time. */
export const VERSION: string = typeof SOVEREIGN_VERSION === "string" ? SOVEREIGN_VERSION : "dev";
