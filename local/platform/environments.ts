// The two local platform instances: `dev` for `npm start`, `test` for `npm test`, on ports that
// do not collide so the test suite can run while a developer's platform is up.

export const projectRoot = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export interface Environment {
  name: "dev" | "test";
  stateDir: string;
  databasePort: number;
  apiPort: number;
  /** Test clusters skip fsync: they are rebuilt on every run. */
  durable: boolean;
}

export const environments: Record<Environment["name"], Environment> = {
  dev: {
    name: "dev",
    stateDir: `${projectRoot}/.data/dev`,
    databasePort: 54322,
    apiPort: 54321,
    durable: true,
  },
  test: {
    name: "test",
    stateDir: `${projectRoot}/.data/test`,
    databasePort: 55322,
    apiPort: 55321,
    durable: false,
  },
};
