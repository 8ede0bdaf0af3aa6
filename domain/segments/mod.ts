/**
 * Rule-based segments of a dataset (gender, region, age, income, purchase tier, CLV, RFM) and
 * the insights computed from them.
 *
 * @module
 */
export {
  hasIntegerIds,
  type TypedCustomerId,
  typedCustomerId,
  typedCustomerIds,
} from "./customer_ids.ts";
export { customerInsights, insightsFor } from "./insights.ts";
export {
  customerSegments,
  MissingColumnsError,
  resolveThresholds,
  rowOfCustomer,
  type RuleSegment,
  type RuleSegmentation,
  SEGMENT_TYPES,
  segmentDataset,
  type SegmentType,
  type Thresholds,
} from "./rules.ts";
