// Placeholder until the Forgejo stand-in lands (services issue).
export async function main(_args: string[]): Promise<void> {
  console.error("forgejo (fake): not implemented yet");
  process.exit(1);
}
