/**
 * Preprocessing's last stages: log1p of skewed money columns, one-hot encoding and z-scoring
 * into the float32 matrix the clustering runs on, and PCA when the features are many.
 *
 * @module
 */
import { type Matrix, matrix } from "../../compute/matrix.ts";
import { pca as fitPca, type PcaModel, transformPca } from "../../compute/pca.ts";
import type { Scaler } from "../../compute/standardize.ts";
import { MAX_COLUMNS } from "../datasets/values.ts";
import type { CategoricalFeature, Feature } from "./preprocess_features.ts";
import {
  PCA_AUTO_MIN_FEATURES,
  PCA_AUTO_SHARE,
  type PreprocessReport,
  type Resolved,
} from "./preprocess_options.ts";

/**
 * Chooses the columns to log1p (`log1p: "auto"`: loggable ones skewed above `skewThreshold`;
 * `true`: every loggable one) and sets their `transformed` values; `values` stay in original
 * units for profiles.
 */
export function chooseLog1p(
  features: Feature[],
  o: Pick<Resolved, "log1p" | "skewThreshold">,
): PreprocessReport["log1p"] {
  const out: PreprocessReport["log1p"] = [];
  if (o.log1p === false) return out;
  for (const f of features) {
    if (f.type !== "numeric" || !f.loggable) continue;
    if (o.log1p === "auto" && !(f.skewness > o.skewThreshold)) continue;
    out.push({ column: f.name, skewness: f.skewness });
    // `values` stays in original units for profiles; the transform works on a copy.
    const v = f.values;
    const logged = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) logged[i] = Math.log1p(v[i]!);
    f.transformed = logged;
  }
  return out;
}

/** The encoded matrix and what each of its columns is. */
export interface Encoded {
  x: Matrix;
  features: string[];
  originalFeatureOf: number[];
  scaler: Scaler;
  grouped: PreprocessReport["grouped"];
}

/**
 * The n × d encoded matrix: numeric columns z-scored (population std, in float64 before the
 * float32 store), one-hot columns 0 or `weight` (their scaler std is 1 / weight).
 */
export function encode(
  features: Feature[],
  n: number,
  maxCategories: number,
  weight: number,
): Encoded {
  const names: string[] = [];
  const originalFeatureOf: number[] = [];
  const grouped: PreprocessReport["grouped"] = [];
  // Per categorical feature: level code → column offset within the field, and the field's width.
  const slots: Array<{ slot: Int32Array; width: number }> = [];
  features.forEach((f, field) => {
    if (f.type === "numeric") {
      names.push(f.name);
      originalFeatureOf.push(field);
      return;
    }
    const { order, other } = levelOrder(f, maxCategories);
    const slot = new Int32Array(f.levels.length).fill(order.length);
    order.forEach((c, k) => {
      slot[c] = k;
      names.push(`${f.name}=${f.levels[c]}`);
      originalFeatureOf.push(field);
    });
    if (other > 0) {
      names.push(`${f.name}=Other`);
      originalFeatureOf.push(field);
      grouped.push({ column: f.name, levels: f.levels.length, rows: other });
    }
    slots.push({ slot, width: order.length + (other > 0 ? 1 : 0) });
  });

  const d = names.length;
  if (d > MAX_COLUMNS) {
    throw new RangeError(
      `Expected at most ${MAX_COLUMNS} encoded features but found ${d}; ` +
        "lower maxCategories or exclude fields",
    );
  }
  const data = new Float32Array(n * d);
  const mean = new Float64Array(d);
  const std = new Float64Array(d).fill(1);
  let col = 0;
  let cat = 0;
  for (const f of features) {
    if (f.type === "numeric") {
      const v = f.transformed;
      const { m, s } = meanStd(v);
      mean[col] = m;
      std[col] = s;
      const inv = s === 0 ? 1 : 1 / s;
      for (let i = 0, p = col; i < n; i++, p += d) data[p] = (v[i]! - m) * inv;
      col++;
    } else {
      const { slot, width } = slots[cat++]!;
      const codes = f.codes;
      for (let i = 0; i < n; i++) data[i * d + col + slot[codes[i]!]!] = weight;
      // The scaler maps a weighted column back to 0/1, so centroids read as shares.
      for (let j = col; j < col + width; j++) std[j] = 1 / weight;
      col += width;
    }
  }
  return {
    x: matrix(data, n, d),
    features: names,
    originalFeatureOf,
    scaler: { mean, std },
    grouped,
  };
}

// Levels kept (frequency descending, then name), and the rows of the levels grouped as Other.
function levelOrder(
  f: CategoricalFeature,
  maxCategories: number,
): { order: number[]; other: number } {
  const all = f.levels.map((_, c) => c).sort((a, b) =>
    f.counts[b]! - f.counts[a]! || (f.levels[a]! < f.levels[b]! ? -1 : 1)
  );
  if (all.length <= maxCategories) return { order: all, other: 0 };
  // A real "Other" level joins the group rather than standing beside it under the same name.
  const order = all.filter((c) => f.levels[c] !== "Other").slice(0, maxCategories - 1);
  const keep = new Set(order);
  let other = 0;
  for (let c = 0; c < f.levels.length; c++) if (!keep.has(c)) other += f.counts[c]!;
  return { order, other };
}

// Mean and population std (ddof 0), two passes in float64; a std below rounding is 0.
function meanStd(v: Float64Array): { m: number; s: number } {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]!;
  const m = sum / v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) {
    const t = v[i]! - m;
    ss += t * t;
  }
  const s = Math.sqrt(ss / v.length);
  return { m, s: s <= 1e-12 * Math.max(1, Math.abs(m)) ? 0 : s };
}

/** The PCA projection of `x` that `option` asks for, or null. */
export function project(
  x: Matrix,
  option: "auto" | false | number,
): { x: Matrix; model: PcaModel } | null {
  if (option === false || x.n < 2) return null;
  let model: PcaModel;
  if (option === "auto") {
    if (x.d <= PCA_AUTO_MIN_FEATURES) return null;
    model = fitPca(x, { varianceToKeep: PCA_AUTO_SHARE });
  } else if (option < 1) model = fitPca(x, { varianceToKeep: option });
  else model = fitPca(x, { nComponents: option });
  return { x: transformPca(model, x), model };
}
