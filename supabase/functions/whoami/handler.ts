// whoami: who the platform thinks the caller is. GET with a user session or the service role
// (verify_jwt = true, the default) → {userId, role}, the role read from the database
// (candidate | company | admin, or service_role). Lets a frontend or an operator check a token,
// and lets the gateway contract tests see what reaches a verify_jwt function.

import { defineEndpoint } from "../_shared/endpoint.ts";
import { jsonResponse } from "../_shared/http.ts";

export const createWhoamiHandler = defineEndpoint({
  name: "whoami",
  method: "GET",
  callers: "user_or_service",
  handle({ caller }) {
    const identity = caller?.kind === "user"
      ? { userId: caller.userId, role: caller.role }
      : { userId: null, role: "service_role" };
    return Promise.resolve(jsonResponse(200, identity));
  },
});
