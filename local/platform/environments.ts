// The local platform instances: `dev` for `npm start`, `test` for `npm test`, and `contract`, the
// throw-away database `npm run generate` builds from the migrations; on ports that do not collide
// so each can run while the others are up.
// LOCAL_PLATFORM_PORT_OFFSET=N shifts every instance by N ports (and gives them their own state
// directories), so several checkouts or developers can share one machine.

export const projectRoot = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export interface Environment {
  name: "dev" | "test" | "contract";
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
  contract: {
    name: "contract",
    stateDir: `${projectRoot}/.data/contract${stateSuffix}`,
    databasePort: 56322 + portOffset,
    apiPort: 56321 + portOffset,
    durable: false,
  },
};
