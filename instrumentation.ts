// Runs once when the server starts. `next start` does not wait for it before saying "Ready", so next.config.ts checks
// the environment there first.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startNodeServer } = await import("./instrumentation-node");
    await startNodeServer();
  }
}
