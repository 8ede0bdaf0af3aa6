/**
 * The 400 of documents 000 and 001 for a body whose two request shapes (`data` or `customers`)
 * are mixed or missing, in the same issue list as a schema failure.
 *
 * @module
 */
import { ClientError } from "../http/errors.ts";

/** A 400 `validation_error` naming `parameter`; `code` "missing" reads as zod's "Required". */
export function shapeError(parameter: string, message: string, code = "missing"): ClientError {
  return new ClientError(400, "validation_error", message, {
    details: {
      location: "body",
      parameter,
      issues: [{ path: parameter, message: code === "missing" ? "Required" : message, code }],
    },
  });
}
