// The two local platform instances: `dev` for `npm start`, `test` for `npm test`, on ports that
// do not collide so the test suite can run while a developer's platform is up.
// LOCAL_PLATFORM_PORT_OFFSET=N shifts both instances by N ports (and gives them their own state
// directories), so several checkouts or developers can share one machine.

export const projectRoot = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export interface Environment {
  name: "dev" | "test";
  stateDir: string;
  databasePort: number;
  apiPort: number;
  /** Test clusters skip fsync: they are rebuilt on every run. */
  durable: boolean;
}

const portOffset = Number(Deno.env.get("LOCAL_PLATFORM_PORT_OFFSET") ?? "0");
if (!Number.isInteger(portOffset) || portOffset < 0 || portOffset > 5000) {
  throw new Error("LOCAL_PLATFORM_PORT_OFFSET must be an integer between 0 and 5000");
}
const stateSuffix = portOffset ? `-${portOffset}` : "";

export const environments: Record<Environment["name"], Environment> = {
  dev: {
    name: "dev",
    stateDir: `${projectRoot}/.data/dev${stateSuffix}`,
    databasePort: 54322 + portOffset,
    apiPort: 54321 + portOffset,
    durable: true,
  },
  test: {
    name: "test",
    stateDir: `${projectRoot}/.data/test${stateSuffix}`,
    databasePort: 55322 + portOffset,
    apiPort: 55321 + portOffset,
    durable: false,
  },
};
