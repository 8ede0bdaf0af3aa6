/**
 * Segment narratives (issue 4 item 5): a short unique name, a persona label, a plain-language
 * persona citing the segment's numbers, KPIs and two to four concrete actions per cluster, built
 * by deterministic templates from `ClusterProfiles`, in English, Spanish or Portuguese.
 *
 * - **Roles**: each feature gets a business role from its name and values (`roleOf`, first match wins,
 *   on the name split into lower-case words, camelCase included) or from `options.roles`.
 * - **Levels**: a role is "high" when the mean `vs_population.z_diff` of its features is ≥ 0.5
 *   (`LEVEL_Z`), "low" when ≤ −0.5, else "mid". For recency a high level means *lapsed* (many
 *   days since the last purchase) and a low one *recent*.
 * - **KPIs**: means of the role's features (the first feature of the role in profile order),
 *   except spend, which sums every spend feature (MntWines + MntFruits + …) unless
 *   `revenueFeature` names one. `share_of_revenue` = cluster size × mean spend / (all rows ×
 *   population mean spend), noise included in the denominator. `average_ticket` falls back to
 *   spend / frequency when no ticket feature exists (document 000's definition). Null where the
 *   role is missing.
 * - Noise (DBSCAN −1) is not a segment and gets no narrative.
 */
import type { ClusterProfile, ClusterProfiles } from "./profile.ts";
import {
  type BusinessRole,
  detectRoles,
  nameSuggests,
  purchaseColumns,
  type RoleUnit,
  spendColumns,
  wordsOf,
} from "./roles.ts";
import {
  type ActionKey,
  type Archetype,
  type BaseActionKey,
  type Contrast,
  type Figures,
  type Language,
  type Role,
  STRINGS,
  type Strings,
} from "./narrative_strings.ts";

export type { Language, Role } from "./narrative_strings.ts";

/** |z| at which a role's level is high or low. */
export const LEVEL_Z = 0.5;
/** |Cohen's d| a role-less differentiator needs to be cited in a persona. */
export const CITE_EFFECT = 0.3;
/** Ratio of means (either way) from which a cluster is clearly not average. */
export const DISTINCT_RATIO = 1.5;
/** |Cohen's d| from which a cluster is clearly not average. */
export const DISTINCT_EFFECT = 0.8;

/** Narrative-only roles, read from the name alone: a 1–100 score and a count of categories. */
const SPENDING_SCORE = /spending_score|spend_score/;
const DIVERSITY = /(diversity|variety|breadth|categories|product_types|n_categories)/;

/** Value range of a column, the evidence a role needs besides its name. */
export interface ValueRange {
  min: number;
  max: number;
  mean?: number;
}

/**
 * The narrative role a name and its values both support, or undefined: the business role of
 * `roles.ts` (evidence from name and values; without `range` the name alone), read as the
 * narratives speak (purchases and a rate of purchases are "frequency"; a birth year and a tenure
 * have no narrative role), plus the spending score and product variety.
 */
export function roleOf(name: string, range?: ValueRange): Role | undefined {
  const words = wordsOf(name);
  if (SPENDING_SCORE.test(words)) return "spending_score";
  if (DIVERSITY.test(words)) return "diversity";
  if (range === undefined) return narrativeRole(nameSuggests(name), undefined);
  const [report] = detectRoles([{ name, kind: "numeric", ...range }]);
  return report?.role ? narrativeRole(report.role, report.unit) : undefined;
}

/** How the narratives speak of a business role. */
function narrativeRole(
  role: BusinessRole | undefined,
  unit: RoleUnit | undefined,
): Role | undefined {
  switch (role) {
    case undefined:
    case "tenure":
      return undefined;
    case "purchases":
      return "frequency";
    case "age":
      return unit === "birth_year" ? undefined : "age";
    default:
      return role;
  }
}

/** A level of a role in a cluster. */
export type Level = "high" | "mid" | "low";

/** KPIs of one segment; null where the role is missing. */
export interface SegmentKpis {
  customers: number;
  /** 0–1. */
  share_of_customers: number;
  /** 0–1; null without a spend role. */
  share_of_revenue: number | null;
  average_spend: number | null;
  average_ticket: number | null;
  frequency: number | null;
  recency_days: number | null;
  loyalty: number | null;
}

/** A recommended action. */
export interface SegmentAction {
  key: ActionKey;
  text: string;
  /** The feature a `strength` or `gap` action is built on. */
  feature?: string;
}

/** The narrative of one cluster. */
export interface SegmentNarrative {
  cluster_id: number;
  /** Short, unique within the run. */
  name: string;
  /** Compact level summary, e.g. "high-value, frequent, recent customers". */
  persona_label: string;
  /** 2–4 sentences citing the segment's numbers. */
  persona: string;
  /** Short "higher X than average" facts (document 002's `characteristics`). */
  characteristics: string[];
  archetype: Archetype;
  levels: Partial<Record<Role, Level>>;
  kpis: SegmentKpis;
  actions: SegmentAction[];
  /** high / medium / low, from the segment's value and urgency. */
  priority: "high" | "medium" | "low";
}

/** Options of `describeSegments`. */
export interface NarrativeOptions {
  language?: Language;
  /** Explicit roles, overriding the name patterns (feature name → role). */
  roles?: Record<string, Role>;
  /** The one feature whose mean is a customer's spend (default: the sum of spend features). */
  revenueFeature?: string;
}

/** One line of document 002's `POST /api/recommendations`. */
export interface StrategyLine {
  cluster_id: number;
  segment: string;
  priority: "high" | "medium" | "low";
  action: string;
  rationale: string;
}

/**
 * Describes every cluster of `profiles` (noise excluded), in cluster-id order. Deterministic:
 * the same profiles and options give the same narratives; no string contains NaN or undefined.
 * Base names are unique within the result and never numbered: one cluster per archetype gets
 * the template name, the others are named by their strongest differentiators (`uniqueNames`).
 */
export function describeSegments(
  profiles: ClusterProfiles,
  options: NarrativeOptions = {},
): SegmentNarrative[] {
  const lang = options.language ?? "en";
  const s = STRINGS[lang];
  const roles = featureRoles(
    Object.keys(profiles.population.features),
    options.roles,
    profiles.population.features,
  );
  if (options.revenueFeature !== undefined) {
    if (!(options.revenueFeature in profiles.population.features)) {
      throw new RangeError(`Unknown revenueFeature ${options.revenueFeature}`);
    }
    roles.set(options.revenueFeature, "spend");
  }
  const spendFeatures = options.revenueFeature !== undefined
    ? [options.revenueFeature]
    : spendColumns(featuresOf(roles, "spend"), meansOf(profiles.population.features)).kept;
  const frequencyFeatures = purchaseFeatures(roles, profiles.population.features);
  const popSpend = sumMeans(profiles.population.features, spendFeatures);
  const totalRevenue = popSpend === null ? null : popSpend * profiles.n_rows;

  const drafts = profiles.clusters.map((c) => {
    const levels = levelsOf(c, roles);
    const kpis = kpisOf(c, roles, spendFeatures, frequencyFeatures, totalRevenue);
    return { c, levels, kpis, archetype: archetypeOf(levels) };
  });
  // A column that alone plays a role is named by the role's word in the language (issue 12).
  const traitLabel = (f: string) => {
    const role = roles.get(f);
    return role !== undefined && featuresOf(roles, role).length === 1
      ? s.roleLabel[role]
      : humanise(f);
  };
  const named = uniqueNames(drafts, roles, s, traitLabel);
  const names = named.map((x) => x.name);

  const fmt = formatter(s.locale);
  // Every quoted figure names the column(s) it comes from (issue 12).
  const first = (role: Role) => featuresOf(roles, role).slice(0, 1);
  const group = (cols: readonly string[]) => cols.length > 1 ? `(${cols.join(" + ")})` : cols[0];
  const ticketCols = first("ticket").length > 0
    ? first("ticket")
    : [`${group(spendFeatures)} / ${group(frequencyFeatures)}`];
  const allFigures = drafts.map((d): Figures => ({
    spend: sourced(num(fmt, d.kpis.average_spend), spendFeatures),
    ticket: sourced(num(fmt, d.kpis.average_ticket), ticketCols),
    frequency: sourced(num(fmt, d.kpis.frequency), frequencyFeatures),
    recency: sourced(num(fmt, d.kpis.recency_days), first("recency")),
    loyalty: sourced(num(fmt, d.kpis.loyalty), first("loyalty")),
    diversity: sourced(num(fmt, meanOf(d.c, first("diversity"))), first("diversity")),
  }));
  const actions = distinctActions(drafts, allFigures, named, s, traitLabel);

  return drafts.map((d, i) => {
    const figures = allFigures[i]!;
    const share = pct(s.locale, d.kpis.share_of_customers)!;
    const revenue = pct(s.locale, d.kpis.share_of_revenue);
    const contrasts = contrastsOf(d.c, roles, s, fmt);
    const sentences = [
      s.intro(names[i]!, fmt(d.kpis.customers), share, revenue, named[i]!.traits === null),
    ];
    const facts = s.facts(figures);
    if (facts !== null) sentences.push(facts);
    if (contrasts.length > 0) sentences.push(s.contrast(contrasts));
    // Never "close to the average" beside a 1.5× difference or |d| ≥ 0.8 (`isDistinct`).
    const distinct = isDistinct(d.c)
      ? named[i]!.traits ?? traitCandidates(d.c, traitLabel)[0] ?? []
      : null;
    sentences.push(
      d.archetype === "typical" && distinct !== null
        ? s.distinctGist(distinct)
        : s.gist[d.archetype],
    );
    return {
      cluster_id: d.c.cluster_id,
      name: names[i]!,
      persona_label: personaLabel(d.levels, s, distinct),
      persona: sentences.join(" "),
      characteristics: [
        ...contrasts.map((c) => c.phrase ?? c.label),
        ...categoryTraits(d.c, profiles.population.categorical, s),
      ],
      archetype: d.archetype,
      levels: d.levels,
      kpis: d.kpis,
      actions: actions[i]!,
      priority: priorityOf(d.archetype, d.levels),
    };
  });
}

/**
 * Flat strategy lines for document 002's `POST /api/recommendations`, one per action, ordered
 * by priority, then by the segment's share of revenue (or of customers without spend), then
 * cluster id.
 */
export function recommendationsFor(
  narratives: readonly SegmentNarrative[],
  language: Language = "en",
): StrategyLine[] {
  const s = STRINGS[language];
  const rank = { high: 0, medium: 1, low: 2 };
  const value = (n: SegmentNarrative) => n.kpis.share_of_revenue ?? n.kpis.share_of_customers;
  const ordered = [...narratives].sort((a, b) =>
    rank[a.priority] - rank[b.priority] || value(b) - value(a) || a.cluster_id - b.cluster_id
  );
  const lines: StrategyLine[] = [];
  for (const n of ordered) {
    const rationale = s.rationale(
      pct(s.locale, n.kpis.share_of_customers)!,
      pct(s.locale, n.kpis.share_of_revenue),
      n.persona_label,
    );
    for (const a of n.actions) {
      lines.push({
        cluster_id: n.cluster_id,
        segment: n.name,
        priority: n.priority,
        action: a.text,
        rationale,
      });
    }
  }
  return lines;
}

/**
 * The language of an `Accept-Language` header: the supported primary tag (en, es, pt) with the
 * highest q-value (ties: first listed); en when none is supported or the header is absent.
 */
export function parseAcceptLanguage(header: string | null | undefined): Language {
  if (!header) return "en";
  let best: Language = "en";
  let bestQ = 0;
  for (const part of header.split(",")) {
    const [tag = "", ...params] = part.trim().split(";");
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    const primary = tag.trim().toLowerCase().split("-")[0];
    if ((primary === "en" || primary === "es" || primary === "pt") && q > bestQ) {
      best = primary;
      bestQ = q;
    }
  }
  return best;
}

/**
 * The role of each feature: explicit ones first, then `roleOf` on the name and, where `ranges`
 * gives them, the values (min/max); role-less omitted.
 */
export function featureRoles(
  features: readonly string[],
  explicit: Record<string, Role> = {},
  ranges: Record<string, ValueRange> = {},
): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const f of features) {
    const given = Object.hasOwn(explicit, f) ? explicit[f] : undefined;
    if (given !== undefined) {
      roles.set(f, given);
      continue;
    }
    const hit = roleOf(f, Object.hasOwn(ranges, f) ? ranges[f] : undefined);
    if (hit !== undefined) roles.set(f, hit);
  }
  return roles;
}

/**
 * The features behind the purchases figure: the purchase counts added up (Num*Purchases, deal
 * counts left out as `purchaseColumns` says) when the values show counts, else the first
 * frequency feature alone (a rate is not added to another).
 */
function purchaseFeatures(
  roles: Map<string, Role>,
  population: Record<string, ValueRange>,
): string[] {
  const frequency = featuresOf(roles, "frequency");
  const counts = frequency.filter((f) => {
    const range = population[f];
    if (range === undefined) return false;
    return detectRoles([{ name: f, kind: "numeric", ...range }])[0]?.role === "purchases";
  });
  return counts.length > 0 ? purchaseColumns(counts).kept : frequency.slice(0, 1);
}

function meansOf(features: Record<string, { mean: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(features).map(([k, v]) => [k, v.mean]));
}

/** A figure followed by the column(s) it comes from, e.g. "45.2 (PURCHASES_TRX)". */
function sourced(figure: string | null, columns: readonly string[]): string | null {
  return figure === null || columns.length === 0 ? figure : `${figure} (${columns.join(" + ")})`;
}

function featuresOf(roles: Map<string, Role>, role: Role): string[] {
  return [...roles].filter(([, r]) => r === role).map(([f]) => f);
}

function sumMeans(
  features: Record<string, { mean: number }>,
  names: readonly string[],
): number | null {
  if (names.length === 0) return null;
  let sum = 0;
  for (const n of names) sum += features[n]?.mean ?? 0;
  return Number.isFinite(sum) ? sum : null;
}

/** Mean of the role's first feature: one number a marketer can read, in its own units. */
function meanOf(c: ClusterProfile, names: readonly string[]): number | null {
  const v = names.length === 0 ? undefined : c.features[names[0]!]?.mean;
  return v !== undefined && Number.isFinite(v) ? v : null;
}

function levelsOf(c: ClusterProfile, roles: Map<string, Role>): Partial<Record<Role, Level>> {
  const sums = new Map<Role, [number, number]>();
  for (const [f, role] of roles) {
    const z = c.vs_population[f]?.z_diff;
    if (z === undefined || !Number.isFinite(z)) continue;
    const acc = sums.get(role) ?? [0, 0];
    sums.set(role, [acc[0] + z, acc[1] + 1]);
  }
  const levels: Partial<Record<Role, Level>> = {};
  for (const [role, [sum, n]] of sums) {
    const z = sum / n;
    levels[role] = z >= LEVEL_Z ? "high" : z <= -LEVEL_Z ? "low" : "mid";
  }
  return levels;
}

function kpisOf(
  c: ClusterProfile,
  roles: Map<string, Role>,
  spendFeatures: readonly string[],
  frequencyFeatures: readonly string[],
  totalRevenue: number | null,
): SegmentKpis {
  const spend = sumMeans(c.features, spendFeatures);
  const frequency = sumMeans(c.features, frequencyFeatures);
  let ticket = meanOf(c, featuresOf(roles, "ticket"));
  if (ticket === null && spend !== null && frequency !== null && frequency > 0) {
    ticket = spend / frequency;
  }
  return {
    customers: c.size,
    share_of_customers: c.share,
    share_of_revenue: spend !== null && totalRevenue !== null && totalRevenue > 0
      ? (spend * c.size) / totalRevenue
      : null,
    average_spend: spend,
    average_ticket: ticket,
    frequency,
    recency_days: meanOf(c, featuresOf(roles, "recency")),
    loyalty: meanOf(c, featuresOf(roles, "loyalty")),
  };
}

/**
 * The archetype from the levels, first rule wins. "Value" is spend, else spending score, else
 * ticket; "engagement" is frequency, else loyalty. Recency decides between loyal and at-risk.
 */
function archetypeOf(l: Partial<Record<Role, Level>>): Archetype {
  const value = l.spend ?? l.spending_score ?? l.ticket;
  const engaged = l.frequency ?? l.loyalty;
  const lapsed = l.recency === "high";
  const recent = l.recency === "low";
  if (value === "high" && lapsed) return "at_risk_big_spenders";
  if (value === "high" && (engaged === "high" || l.loyalty === "high")) return "champions";
  if (value === "high") return "big_spenders";
  if (lapsed && (value === "low" || engaged === "low")) return "dormant";
  if (lapsed) return "slipping";
  if (recent && engaged === "low") return "newcomers";
  if (l.ticket === "low" && engaged !== undefined && engaged !== "low") return "bargain_hunters";
  if (engaged === "high" && value === "low") return "bargain_hunters";
  if (engaged === "high") return "regulars";
  if (l.income === "high" && value !== undefined) return "affluent_cautious";
  if (value === "low") return "budget";
  return "typical";
}

/** Base actions per archetype; role-driven extras are appended, then capped at four. */
const BASE_ACTIONS: Record<Archetype, BaseActionKey[]> = {
  champions: ["vip", "referral"],
  at_risk_big_spenders: ["winback", "feedback"],
  big_spenders: ["vip", "upsell"],
  dormant: ["reactivation", "feedback"],
  slipping: ["winback", "frequency_boost"],
  newcomers: ["onboarding", "first_cross_sell"],
  bargain_hunters: ["bundle", "upsell"],
  regulars: ["upsell", "referral"],
  budget: ["bundle", "frequency_boost"],
  affluent_cautious: ["premium_nudge", "upsell"],
  typical: ["frequency_boost", "nurture"],
};

function actionsOf(a: Archetype, l: Partial<Record<Role, Level>>): BaseActionKey[] {
  const out = [...BASE_ACTIONS[a]];
  const add = (k: BaseActionKey) => {
    if (!out.includes(k)) out.push(k);
  };
  if (l.diversity === "low") add("cross_category");
  if (l.loyalty === "low" && a !== "dormant" && a !== "at_risk_big_spenders") add("loyalty_join");
  if (l.frequency === "low" && a !== "dormant" && a !== "newcomers") add("frequency_boost");
  if (out.length < 3) add("nurture");
  return out.slice(0, 4);
}

/**
 * The actions of every cluster, no two lists alike: a segment named by its traits leads with an
 * action on each trait of its name; a segment whose list would repeat an earlier one's gets an
 * action on its strongest differentiator not yet used. At most four each.
 */
function distinctActions(
  drafts: { c: ClusterProfile; archetype: Archetype; levels: Partial<Record<Role, Level>> }[],
  allFigures: Figures[],
  named: Named[],
  s: Strings,
  label: (feature: string) => string,
): SegmentAction[][] {
  const fmt = formatter(s.locale);
  const traitAction = (c: ClusterProfile, t: Trait): SegmentAction => {
    const ratio = c.vs_population[t.feature]?.ratio;
    return {
      key: t.direction === "higher" ? "strength" : "gap",
      text: s.traitAction(
        t,
        ratio !== null && ratio !== undefined && ratio > 0 ? fmt(ratio) : null,
      ),
      feature: t.feature,
    };
  };
  const seen: string[] = [];
  return drafts.map((d, i) => {
    const figures = allFigures[i]!;
    let out: SegmentAction[] = actionsOf(d.archetype, d.levels).map((key) => ({
      key,
      text: s.action[key](figures),
    }));
    const lead = named[i]!.traits ?? [];
    out = [...lead.map((t) => traitAction(d.c, t)), ...out].slice(0, 4);
    const key = (a: SegmentAction[]) => a.map((x) => x.text).join("\n");
    const spare = traitCandidates(d.c, label).filter((t) => t.length === 1).map((t) => t[0]!)
      .filter((t) => !out.some((a) => a.feature === t.feature));
    while (seen.includes(key(out)) && spare.length > 0) {
      out = [traitAction(d.c, spare.shift()!), ...out].slice(0, 4);
    }
    seen.push(key(out));
    return out;
  });
}

function priorityOf(a: Archetype, l: Partial<Record<Role, Level>>): "high" | "medium" | "low" {
  if (a === "champions" || a === "at_risk_big_spenders" || a === "big_spenders") return "high";
  if (a === "dormant" || a === "budget" || a === "typical") {
    return (l.spend ?? l.spending_score) === "high" ? "medium" : "low";
  }
  return "medium";
}

/** Roles an archetype's name speaks for: the template fits best where they differ most. */
const NAMED_ROLES: Record<Archetype, Role[]> = {
  champions: ["spend", "spending_score", "ticket", "frequency", "loyalty", "recency"],
  at_risk_big_spenders: ["spend", "spending_score", "ticket", "recency"],
  big_spenders: ["spend", "spending_score", "ticket"],
  dormant: ["recency", "spend", "frequency"],
  slipping: ["recency", "frequency"],
  newcomers: ["recency", "frequency"],
  bargain_hunters: ["ticket", "frequency", "spend"],
  regulars: ["frequency", "loyalty"],
  budget: ["spend", "spending_score", "ticket"],
  affluent_cautious: ["income", "spend", "spending_score"],
  typical: [],
};

/** A trait of a segment's name: a humanised column and the sign of its difference. */
export interface Trait {
  feature: string;
  label: string;
  direction: "higher" | "lower";
}

/**
 * A column name in plain words: units in brackets dropped, CamelCase and snake_case split,
 * lower case ("Annual Income (k$)" → "annual income", "CASH_ADVANCE_TRX" → "cash advance trx").
 */
export function humanise(feature: string): string {
  return feature.replace(/\s*[([][^)\]]*[)\]]/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[_\-.\s]+/g, " ")
    .trim()
    .toLowerCase() || feature;
}

/**
 * Candidate trait lists of a cluster, best first: pairs of its strongest differentiators (both
 * with |d| ≥ `CITE_EFFECT`) whose labels start with different words ("cash advance", "cash advance trx" say one thing), then
 * single traits.
 */
function traitCandidates(
  c: ClusterProfile,
  label: (feature: string) => string = humanise,
): Trait[][] {
  const traits = c.differentiating
    .filter((d) => d.effect_size !== 0 && Number.isFinite(d.effect_size))
    .map((d) => ({
      feature: d.feature,
      label: label(d.feature),
      direction: d.direction,
      cited: Math.abs(d.effect_size) >= CITE_EFFECT,
    }));
  const head = (t: Trait) => t.label.split(" ")[0];
  const strip = ({ cited: _, ...t }: Trait & { cited: boolean }): Trait => t;
  const out: Trait[][] = [];
  for (let i = 0; i < traits.length; i++) {
    for (let j = i + 1; j < traits.length; j++) {
      const [a, b] = [traits[i]!, traits[j]!];
      if (a.cited && b.cited && head(a) !== head(b)) out.push([strip(a), strip(b)]);
    }
  }
  for (const t of traits) out.push([strip(t)]);
  return out;
}

/** How well a cluster fits its archetype: mean |z| of the roles the name speaks for. */
function archetypeFit(c: ClusterProfile, archetype: Archetype, roles: Map<string, Role>): number {
  const named = NAMED_ROLES[archetype];
  let sum = 0;
  let n = 0;
  for (const [f, role] of roles) {
    const z = c.vs_population[f]?.z_diff;
    if (!named.includes(role) || z === undefined || !Number.isFinite(z)) continue;
    sum += Math.abs(z);
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

/** The largest |Cohen's d| of a cluster against the rest. */
function maxEffect(c: ClusterProfile): number {
  return c.differentiating.reduce((m, d) => Math.max(m, Math.abs(d.effect_size)), 0);
}

/** The name of each cluster, with the traits it was named from (null for a template name). */
interface Named {
  name: string;
  traits: Trait[] | null;
}

/**
 * Base names unique within the run, without numbers: each archetype's template name goes to
 * the one cluster that fits it best (for the typical one: the cluster closest to the average,
 * and only when nothing sets it clearly apart, see `isDistinct`); every other cluster is named
 * by its strongest differentiators ("High cash advance, low purchases").
 */
function uniqueNames(
  drafts: { c: ClusterProfile; archetype: Archetype }[],
  roles: Map<string, Role>,
  s: Strings,
  label: (feature: string) => string,
): Named[] {
  const out: (Named | null)[] = drafts.map(() => null);
  const byArchetype = new Map<Archetype, number[]>();
  drafts.forEach((d, i) => {
    if (d.archetype === "typical" && isDistinct(d.c)) return;
    byArchetype.set(d.archetype, [...(byArchetype.get(d.archetype) ?? []), i]);
  });
  for (const [archetype, members] of byArchetype) {
    const score = (i: number) =>
      archetype === "typical"
        ? -maxEffect(drafts[i]!.c)
        : archetypeFit(drafts[i]!.c, archetype, roles);
    const best = members.reduce((a, b) => (score(b) > score(a) ? b : a));
    out[best] = { name: s.names[archetype], traits: null };
  }
  const used = new Set(out.filter((x) => x !== null).map((x) => baseName(x!.name)));
  return drafts.map((d, i) => {
    if (out[i] !== null) return out[i]!;
    const candidates = traitCandidates(d.c, label);
    for (const traits of candidates) {
      const name = s.traitName(traits);
      if (!used.has(baseName(name))) {
        used.add(baseName(name));
        return { name, traits };
      }
    }
    // Clusters alike on every differentiator: the segment's id keeps the name its own.
    const traits = candidates[0] ?? [];
    const name = s.segmentName(traits.length > 0 ? s.traitName(traits) : null, d.c.cluster_id);
    used.add(baseName(name));
    return { name, traits };
  });
}

/** A name without its qualifier in brackets or trailing number, lower-cased. */
export function baseName(name: string): string {
  return name.replace(/\s*\(.*\)\s*$/, "").replace(/\s+\d+$/, "").trim().toLowerCase();
}

/**
 * Whether something sets the cluster clearly apart from the average customer: a mean at least
 * `DISTINCT_RATIO`× (or at most 1/`DISTINCT_RATIO`×) the population's, or |Cohen's d| ≥
 * `DISTINCT_EFFECT` on some feature. Such a cluster is never called average.
 */
export function isDistinct(c: ClusterProfile): boolean {
  if (maxEffect(c) >= DISTINCT_EFFECT) return true;
  return Object.values(c.vs_population).some(({ ratio }) =>
    ratio !== null && Number.isFinite(ratio) &&
    (ratio <= 0 || ratio >= DISTINCT_RATIO || ratio <= 1 / DISTINCT_RATIO)
  );
}

/** The grammatical form of a label: a role's (singular or plural in the language) or a column's. */
function formOf(role: Role | undefined, s: Strings): "singular" | "plural" | "column" {
  if (role === undefined) return "column";
  return s.pluralRoles.includes(role) ? "plural" : "singular";
}

function labelOf(feature: string, roles: Map<string, Role>, s: Strings): string {
  const role = roles.get(feature);
  return role !== undefined ? s.roleLabel[role] : humanise(feature);
}

function contrastsOf(
  c: ClusterProfile,
  roles: Map<string, Role>,
  s: Strings,
  fmt: (x: number) => string,
): Contrast[] {
  const seen = new Set<string>();
  const out: Contrast[] = [];
  for (const d of c.differentiating) {
    if (out.length === 3 || Math.abs(d.effect_size) < CITE_EFFECT) break;
    const label = labelOf(d.feature, roles, s);
    if (seen.has(label)) continue;
    seen.add(label);
    const ratio = c.vs_population[d.feature]?.ratio;
    out.push({
      label,
      direction: d.direction,
      phrase: roles.get(d.feature) === "recency"
        ? s.recencyPhrase[d.direction]
        : s.qualifier(d.direction, label, formOf(roles.get(d.feature), s)),
      ratio: ratio !== null && ratio !== undefined && Number.isFinite(ratio) && ratio > 0
        ? fmt(ratio)
        : null,
    });
  }
  return out;
}

/** A category's share in a cluster from which it is "mostly" that category. */
export const CATEGORY_MOSTLY = 0.5;
/** How much more common than in the whole base a category must be to be a trait. */
export const CATEGORY_LIFT = 1.25;
/** Percentage points above the whole base a category must be to be a trait. */
export const CATEGORY_GAP = 0.15;

/**
 * Categorical traits of a cluster, strongest first, at most two: its most common level of a
 * field when it is clearly over-represented against the whole base (a share ≥ 50 %, ≥ 1.25×
 * and ≥ 15 points above the base's), e.g. "mostly North region (67%)".
 */
function categoryTraits(
  c: ClusterProfile,
  population: ClusterProfiles["population"]["categorical"],
  s: Strings,
): string[] {
  const found: { score: number; text: string }[] = [];
  for (const [field, levels] of Object.entries(c.categorical)) {
    let top: [string, number] | null = null;
    for (const [level, { share }] of Object.entries(levels)) {
      if (top === null || share > top[1]) top = [level, share];
    }
    if (top === null) continue;
    const [level, share] = top;
    const base = population[field]?.[level]?.share ?? 0;
    if (share < CATEGORY_MOSTLY || share < CATEGORY_LIFT * base || share - base < CATEGORY_GAP) {
      continue;
    }
    const fieldLabel = s.categoryLabel[humanise(field)] ?? humanise(field);
    found.push({
      score: share - base,
      text: s.categoryTrait(level, fieldLabel, pct(s.locale, share)!, /^-?\d+$/.test(level)),
    });
  }
  return found.sort((a, b) => b.score - a.score).slice(0, 2).map((f) => f.text);
}

/** The levels in words; a distinct cluster with no level to speak of is labelled by its traits. */
function personaLabel(
  l: Partial<Record<Role, Level>>,
  s: Strings,
  distinct: Trait[] | null,
): string {
  const value = l.spend ?? l.spending_score ?? l.ticket;
  const words: string[] = [];
  if (value === "high") words.push(s.label.valueHigh);
  if (value === "low") words.push(s.label.valueLow);
  if (l.frequency === "high") words.push(s.label.frequent);
  if (l.frequency === "low") words.push(s.label.infrequent);
  if (l.recency === "low") words.push(s.label.recent);
  if (l.recency === "high") words.push(s.label.lapsed);
  if (l.loyalty === "high" && l.frequency !== "high") words.push(s.label.loyal);
  if (words.length === 0 && distinct !== null) return s.traitLabel(distinct);
  if (words.length === 0) words.push(s.label.typical);
  // Portuguese and Spanish put the noun first ("clientes de alto valor" reads better).
  return s.locale.startsWith("en")
    ? `${words.join(", ")} ${s.label.customers}`
    : `${s.label.customers} ${words.join(", ")}`;
}

/** Locale formatting with magnitude-dependent precision: 12,345 · 287.3 · 0.97. */
function formatter(locale: string): (x: number) => string {
  const big = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const mid = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const small = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  return (x) => {
    if (!Number.isFinite(x)) return "—";
    const a = Math.abs(x);
    return (a >= 100 ? big : a >= 10 ? mid : small).format(x);
  };
}

function num(fmt: (x: number) => string, x: number | null): string | null {
  return x === null || !Number.isFinite(x) ? null : fmt(x);
}

function pct(locale: string, x: number | null): string | null {
  if (x === null || !Number.isFinite(x)) return null;
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(x);
}
