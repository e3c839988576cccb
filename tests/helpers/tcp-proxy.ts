/**
 * A TCP proxy on 127.0.0.1 between the app and Postgres that a test can cut:
 * `down()` resets every open connection and refuses new ones (the app sees
 * ECONNRESET / ECONNREFUSED, as when the database host disappears); `up()`
 * accepts again on the same port.
 */
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** Connections currently relayed. */
  readonly open: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let starting: Promise<number> | undefined;

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        server = s;
        resolve((s.address() as net.AddressInfo).port);
      });
    });

  const port = await listen(listenPort);

  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      s.close(() => resolve());
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
    });

  return {
    port,
    get open() {
      return sockets.size / 2;
    },
    down: stopListening,
    async up() {
      if (server) return;
      starting ??= listen(port).finally(() => (starting = undefined));
      await starting;
    },
    close: stopListening,
  };
}
