/**
 * The user's corrections of column roles and units in a column map override (`columns`,
 * docs/roles.md): checked against the dataset's columns, the roles and each role's units, and
 * merged over the corrections already stored.
 *
 * @module
 */
import {
  BUSINESS_ROLES,
  type BusinessRole,
  ROLE_UNITS,
  type RoleCorrection,
  type RoleUnit,
  UNITS_OF,
} from "../description/roles.ts";
import { DatasetError } from "./errors.ts";
import { describeValue as describe } from "./values.ts";

/** A client's corrections: per column a role (null: none) and a unit; null removes a correction. */
export type RoleCorrectionsOverride = Readonly<
  Record<string, { readonly role?: BusinessRole | null; readonly unit?: RoleUnit } | null>
>;

/**
 * `current` with `override` merged over it (a column set to null loses its correction; the
 * whole override null clears them all). Undefined when none is left.
 *
 * @throws {DatasetError} 422 `invalid_column_map` for a value that is not an object, an unknown
 *   role or a unit the role does not take; `unknown_column` for a column the dataset lacks.
 */
export function mergeRoleCorrections(
  columns: readonly string[],
  current: Readonly<Record<string, RoleCorrection>> | undefined,
  override: unknown,
): Record<string, RoleCorrection> | undefined {
  if (override === null) return undefined;
  if (typeof override !== "object" || Array.isArray(override)) {
    throw invalid(
      `Expected "columns" to map column names to a role and unit but found ${describe(override)}`,
    );
  }
  const out: Record<string, RoleCorrection> = { ...(current ?? {}) };
  for (const [column, value] of Object.entries(override as Record<string, unknown>)) {
    if (!columns.includes(column)) {
      throw new DatasetError(
        422,
        "unknown_column",
        `Column map "columns" names column "${column}", which the dataset lacks`,
        { column },
      );
    }
    if (value === null) {
      delete out[column];
      continue;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
      throw invalid(
        `Expected columns["${column}"] to be { role, unit } but found ${describe(value)}`,
      );
    }
    const { role, unit, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0) {
      throw invalid(
        `Unknown key "${Object.keys(rest)[0]}" in columns["${column}"]; the keys are role and unit`,
      );
    }
    if (role !== undefined && role !== null && !BUSINESS_ROLES.includes(role as BusinessRole)) {
      throw invalid(
        `Unknown role ${describe(role)} for column "${column}"; the roles are: ${
          BUSINESS_ROLES.join(", ")
        }`,
      );
    }
    if (unit !== undefined && !ROLE_UNITS.includes(unit as RoleUnit)) {
      throw invalid(
        `Unknown unit ${describe(unit)} for column "${column}"; the units are: ${
          ROLE_UNITS.join(", ")
        }`,
      );
    }
    const effective = (role ?? out[column]?.role) as BusinessRole | null | undefined;
    if (unit !== undefined && effective) {
      const allowed = UNITS_OF[effective] ?? [];
      if (!allowed.includes(unit as RoleUnit)) {
        throw invalid(
          `Role ${effective} of column "${column}" takes ${
            allowed.length === 0 ? "no unit" : `the units ${allowed.join(", ")}`
          } but found ${describe(unit)}`,
        );
      }
    }
    out[column] = {
      ...out[column],
      ...(role !== undefined ? { role: role as BusinessRole | null } : {}),
      ...(unit !== undefined ? { unit: unit as RoleUnit } : {}),
    };
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function invalid(message: string): DatasetError {
  return new DatasetError(422, "invalid_column_map", message);
}
