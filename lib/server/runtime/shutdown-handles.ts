import "server-only";

/**
 * The start script stops what the server bundle started without importing it (importing
 * would load a second copy of the database client into the process): both share these
 * globals.
 */
interface Stoppable {
  stop(): Promise<void>;
}

export async function stopServerBackground(): Promise<void> {
  const globals = globalThis as unknown as {
    archipelagoBackground?: Promise<Stoppable>;
    archipelagoDb?: { $disconnect(): Promise<void> };
  };
  const background = globals.archipelagoBackground;
  globals.archipelagoBackground = undefined;
  if (background) await (await background.catch(() => null))?.stop();
  await globals.archipelagoDb?.$disconnect().catch(() => undefined);
  globals.archipelagoDb = undefined;
}
