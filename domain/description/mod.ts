/**
 * Cluster description: per-cluster statistics in the data's units, which features set the
 * segments apart, and the names, personas and actions written from them (en, es, pt); the
 * selection's why and the column roles' evidence in the same languages.
 *
 * @module
 */
export { clusterConfidence, featureImportance } from "./importance.ts";
export { parseAcceptLanguage, type SegmentNarrative } from "./narrative.ts";
export { profileClusters, type ProfileInput } from "./profile.ts";
export { BUSINESS_ROLES, ROLE_UNITS, rolesInLanguage } from "./roles.ts";
export type { Language } from "./narrative_strings.ts";
export { candidateReasonText, selectionWhy } from "./selection_text.ts";
