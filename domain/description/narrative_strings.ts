/**
 * The strings of `narrative.ts` in English, Spanish and Portuguese. Every template takes numbers
 * already formatted for its locale, so this file never formats or computes: adding a language is
 * adding one `Strings` object.
 */

/** The languages of the narratives (`Accept-Language`, default en). */
export type Language = "en" | "es" | "pt";

/** Business role of a feature, found from its name or given explicitly. */
export type Role =
  | "spend"
  | "frequency"
  | "ticket"
  | "recency"
  | "loyalty"
  | "diversity"
  | "age"
  | "income"
  | "spending_score";

/** The segment archetypes that names, gists and actions are keyed on. */
export type Archetype =
  | "champions"
  | "at_risk_big_spenders"
  | "big_spenders"
  | "dormant"
  | "slipping"
  | "newcomers"
  | "bargain_hunters"
  | "regulars"
  | "budget"
  | "affluent_cautious"
  | "typical";

/** The recommended actions. */
export type ActionKey =
  | "vip"
  | "referral"
  | "winback"
  | "feedback"
  | "onboarding"
  | "first_cross_sell"
  | "bundle"
  | "upsell"
  | "reactivation"
  | "frequency_boost"
  | "cross_category"
  | "loyalty_join"
  | "premium_nudge"
  | "nurture"
  /** Built on a trait the segment has well above the average (`traitAction`). */
  | "strength"
  /** Aimed at a trait the segment has well below the average (`traitAction`). */
  | "gap";

/** The actions of the archetypes, written from the figures alone. */
export type BaseActionKey = Exclude<ActionKey, "strength" | "gap">;

/** Formatted numbers of one segment; null where its role is missing. */
export interface Figures {
  spend: string | null;
  ticket: string | null;
  frequency: string | null;
  recency: string | null;
  loyalty: string | null;
  diversity: string | null;
}

/** One "higher/lower than average" fact of a persona. */
export interface Contrast {
  label: string;
  direction: "higher" | "lower";
  /** Formatted ratio to the population mean ("1.8"), null when undefined. */
  ratio: string | null;
  /** The whole fact: "higher <label>" agreeing in the language, or recency's own wording. */
  phrase?: string;
}

/** A trait of a name or label: a humanised column and the sign of its difference. */
export interface TraitWords {
  direction: "higher" | "lower";
  label: string;
}

/** Everything one language says. */
export interface Strings {
  /** BCP 47 locale for `Intl.NumberFormat`. */
  locale: string;
  roleLabel: Record<Role, string>;
  names: Record<Archetype, string>;
  /** Role labels that are plural nouns ("ingresos"): their comparatives agree in number. */
  pluralRoles: readonly Role[];
  /**
   * "higher <label>" with the comparative agreeing with the label: `form` says whether it is a
   * role label (singular or plural) or a column name, whose gender and number are unknown.
   */
  qualifier(
    direction: "higher" | "lower",
    label: string,
    form: "singular" | "plural" | "column",
  ): string;
  /** A segment's name from its one or two strongest traits (humanised column names). */
  traitName(traits: readonly { direction: "higher" | "lower"; label: string }[]): string;
  /** The gist of a cluster no template fits that is clearly not average, from its traits. */
  distinctGist(traits: readonly TraitWords[]): string;
  /** `persona_label` of such a cluster. */
  traitLabel(traits: readonly TraitWords[]): string;
  /** Last resort for clusters alike on every differentiator: the segment's id in the name. */
  segmentName(traitName: string | null, clusterId: number): string;
  /**
   * A category over-represented in a segment: "mostly North region (67%)"; `code` when the
   * level is an integer code ("mostly region 3 (90%)").
   */
  categoryTrait(level: string, field: string, share: string, code: boolean): string;
  /** Words of common categorical fields (humanised column name → label in the language). */
  categoryLabel: Readonly<Record<string, string>>;
  /** The recency fact: "higher" means a longer time since the last purchase. */
  recencyPhrase: { higher: string; lower: string };
  /** Words of `persona_label`: the value, frequency and recency levels. */
  label: {
    valueHigh: string;
    valueLow: string;
    frequent: string;
    infrequent: string;
    recent: string;
    lapsed: string;
    loyal: string;
    typical: string;
    customers: string;
  };
  /** `template`: the name is a template's ("Big Spenders are …"), not a list of traits. */
  intro(
    name: string,
    customers: string,
    share: string,
    revenue: string | null,
    template: boolean,
  ): string;
  facts(f: Figures): string | null;
  contrast(items: Contrast[]): string;
  gist: Record<Archetype, string>;
  action: Record<BaseActionKey, (f: Figures) => string>;
  /** An action from one trait that sets the segment apart; `ratio` to the average, formatted. */
  traitAction(trait: TraitWords, ratio: string | null): string;
  rationale(share: string, revenue: string | null, label: string): string;
}

/** `text` when `value` is present, else "". */
function opt(value: string | null, text: (v: string) => string): string {
  return value === null ? "" : text(value);
}

/** Joins clauses as a list: "a, b and c". */
function list(items: string[], and: string): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${and} ${items[items.length - 1]}`;
}

/** "altos de x y bajos de y": plural adjectives agreeing with "valores" before the list. */
function traitList(
  traits: readonly TraitWords[],
  high: string,
  low: string,
  and: string,
): string {
  return list(traits.map((t) => `${t.direction === "higher" ? high : low} de ${t.label}`), and);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const en: Strings = {
  locale: "en-US",
  roleLabel: {
    spend: "spend",
    frequency: "purchase frequency",
    ticket: "average ticket",
    recency: "days since last purchase",
    loyalty: "loyalty",
    diversity: "product variety",
    age: "age",
    income: "income",
    spending_score: "spending score",
  },
  names: {
    champions: "High-Value Loyalists",
    at_risk_big_spenders: "At-Risk Big Spenders",
    big_spenders: "Big Spenders",
    dormant: "Dormant Customers",
    slipping: "Slipping Regulars",
    newcomers: "New Customers",
    bargain_hunters: "Bargain Hunters",
    regulars: "Loyal Regulars",
    budget: "Budget Shoppers",
    affluent_cautious: "Cautious Affluents",
    typical: "Core Customers",
  },
  pluralRoles: [],
  qualifier: (d, l) => `${d === "higher" ? "higher" : "lower"} ${l}`,
  traitName: (traits) =>
    capitalise(
      traits.map((t) => `${t.direction === "higher" ? "high" : "low"} ${t.label}`).join(", "),
    ),
  segmentName: (name, id) => name === null ? `Segment ${id}` : `Segment ${id}: ${name}`,
  categoryTrait: (level, field, share, code) =>
    code ? `mostly ${field} ${level} (${share})` : `mostly ${level} ${field} (${share})`,
  categoryLabel: {},
  distinctGist: (traits) =>
    traits.length === 0
      ? "They differ clearly from the average customer."
      : `They are not an average group: what sets them apart most is their ${
        list(traits.map((t) => `${t.direction === "higher" ? "high" : "low"} ${t.label}`), "and")
      }.`,
  traitLabel: (traits) =>
    traits.length === 0
      ? "distinctive customers"
      : `customers with ${
        list(traits.map((t) => `${t.direction === "higher" ? "high" : "low"} ${t.label}`), "and")
      }`,
  recencyPhrase: {
    higher: "a longer time since their last purchase",
    lower: "a more recent last purchase",
  },
  label: {
    valueHigh: "high-value",
    valueLow: "low-value",
    frequent: "frequent",
    infrequent: "infrequent",
    recent: "recent",
    lapsed: "lapsed",
    loyal: "loyal",
    typical: "average",
    customers: "customers",
  },
  intro: (name, n, share, rev, named) =>
    (named ? `${name} are ${n} customers` : `“${name}”: ${n} customers`) +
    ` (${share} of the base)` +
    (rev === null ? "." : ` who bring in ${rev} of revenue.`),
  facts: (f) => {
    const parts = [
      opt(f.spend, (v) => `spend ${v} on average`),
      opt(f.ticket, (v) => `have an average ticket of ${v}`),
      opt(f.frequency, (v) => `make ${v} purchases`),
      opt(f.recency, (v) => `last bought ${v} days ago`),
      opt(f.loyalty, (v) => `have a loyalty score of ${v}`),
    ].filter((s) => s !== "");
    return parts.length === 0 ? null : `They ${list(parts, "and")}.`;
  },
  contrast: (items) =>
    `Compared with the average customer they have ${
      list(
        items.map((c) =>
          (c.phrase ?? `${c.direction} ${c.label}`) + opt(c.ratio, (r) => ` (${r}× the average)`)
        ),
        "and",
      )
    }.`,
  gist: {
    champions: "They are your best customers: they buy often and spend the most.",
    at_risk_big_spenders:
      "They used to spend a lot but have not come back for a long time, so they may be about to churn.",
    big_spenders: "They spend well above the average customer.",
    dormant: "They have not bought for a long time and spend little.",
    slipping: "They have not bought for longer than usual and are drifting away.",
    newcomers: "They bought recently but only a few times: they are still getting to know you.",
    bargain_hunters: "They come back often but spend little per purchase.",
    regulars: "They buy more often than most customers.",
    budget: "They spend less than most customers.",
    affluent_cautious: "They can afford more than they currently spend with you.",
    typical: "They are close to the average customer on most measures.",
  },
  action: {
    vip: () =>
      "Enrol them in a VIP tier (early access, free shipping, personal service) rather than discounting.",
    referral: () => "Ask for reviews and referrals, rewarding each referred first purchase.",
    winback: (f) =>
      "Send a personalised win-back offer based on their past purchases before they churn" +
      opt(f.recency, (v) => ` (last purchase ${v} days ago on average)`) + ".",
    feedback: () => "Survey them on why they stopped buying and fix the most cited reason.",
    onboarding: () =>
      "Run an onboarding sequence with a second-purchase incentive valid for 30 days.",
    first_cross_sell: () => "Recommend products that complement their first purchases.",
    bundle: (f) =>
      "Offer bundles and volume discounts to raise the ticket" +
      opt(f.ticket, (v) => ` above ${v}`) + ".",
    upsell: () => "Upsell premium ranges in the categories they already buy.",
    reactivation: () =>
      "Try one low-cost reactivation campaign and move non-responders out of paid channels.",
    frequency_boost: (f) =>
      "Use replenishment reminders and a points multiplier to raise purchase frequency" +
      opt(f.frequency, (v) => ` from ${v}`) + ".",
    cross_category: (f) =>
      "Cross-sell other categories" +
      opt(f.diversity, (v) => `: they buy from only ${v} categories on average`) + ".",
    loyalty_join: () => "Invite them into the loyalty programme with a sign-up bonus.",
    premium_nudge: () => "Show them premium products and personalised recommendations.",
    nurture: () =>
      "Test a personalised newsletter with best-sellers to learn which offers they respond to.",
  },
  traitAction: (t, r) =>
    t.direction === "higher"
      ? `Build an offer around their high ${t.label}` +
        opt(r, (v) => ` (${v}× the average)`) + ", the trait that sets them apart."
      : `Find out why their ${t.label} is low` + opt(r, (v) => ` (${v}× the average)`) +
        " and test one offer aimed at it.",
  rationale: (share, rev, label) =>
    capitalise(`${label}; ${share} of customers`) +
    (rev === null ? "." : `, ${rev} of revenue.`),
};

const es: Strings = {
  locale: "es-ES",
  roleLabel: {
    spend: "gasto",
    frequency: "frecuencia de compra",
    ticket: "ticket medio",
    recency: "días desde la última compra",
    loyalty: "fidelidad",
    diversity: "variedad de productos",
    age: "edad",
    income: "ingresos",
    spending_score: "puntuación de gasto",
  },
  names: {
    champions: "Leales de alto valor",
    at_risk_big_spenders: "Grandes compradores en riesgo",
    big_spenders: "Grandes compradores",
    dormant: "Clientes inactivos",
    slipping: "Habituales en retirada",
    newcomers: "Clientes nuevos",
    bargain_hunters: "Cazadores de ofertas",
    regulars: "Habituales fieles",
    budget: "Compradores económicos",
    affluent_cautious: "Acomodados prudentes",
    typical: "Clientes base",
  },
  pluralRoles: ["income", "recency"],
  qualifier: (d, l, form) =>
    form === "column"
      ? `valores más ${d === "higher" ? "altos" : "bajos"} de ${l}`
      : `${d === "higher" ? "mayor" : "menor"}${form === "plural" ? "es" : ""} ${l}`,
  traitName: (traits) =>
    traits.length === 1
      ? `Valores ${traits[0]!.direction === "higher" ? "altos" : "bajos"} de ${traits[0]!.label}`
      : `Valores ${traits[0]!.direction === "higher" ? "altos" : "bajos"} de ${traits[0]!.label}` +
        ` y ${traits[1]!.direction === "higher" ? "altos" : "bajos"} de ${traits[1]!.label}`,
  segmentName: (name, id) => name === null ? `Segmento ${id}` : `Segmento ${id}: ${name}`,
  // An adverb before the field and level: nothing to agree with the field's gender.
  categoryTrait: (level, field, share) => `mayoritariamente ${field} ${level} (${share})`,
  categoryLabel: {
    gender: "género",
    sex: "sexo",
    region: "región",
    channel: "canal",
    education: "educación",
    "marital status": "estado civil",
    country: "país",
    city: "ciudad",
  },
  distinctGist: (traits) =>
    traits.length === 0
      ? "Se distinguen claramente del cliente medio."
      : `No son un grupo medio: lo que más los distingue son sus valores ${
        traitList(traits, "altos", "bajos", "y")
      }.`,
  traitLabel: (traits) =>
    traits.length === 0
      ? "clientes singulares"
      : `clientes con valores ${traitList(traits, "altos", "bajos", "y")}`,
  recencyPhrase: {
    higher: "más tiempo desde su última compra",
    lower: "una última compra más reciente",
  },
  label: {
    valueHigh: "de alto valor",
    valueLow: "de bajo valor",
    frequent: "frecuentes",
    infrequent: "poco frecuentes",
    recent: "recientes",
    lapsed: "inactivos",
    loyal: "fieles",
    typical: "promedio",
    customers: "clientes",
  },
  intro: (name, n, share, rev) =>
    `${name}: ${n} clientes (${share} de la base)` +
    (rev === null ? "." : ` que aportan el ${rev} de los ingresos.`),
  facts: (f) => {
    const parts = [
      opt(f.spend, (v) => `gastan ${v} de media`),
      opt(f.ticket, (v) => `tienen un ticket medio de ${v}`),
      opt(f.frequency, (v) => `hacen ${v} compras`),
      opt(f.recency, (v) => `compraron por última vez hace ${v} días`),
      opt(f.loyalty, (v) => `tienen una puntuación de fidelidad de ${v}`),
    ].filter((s) => s !== "");
    return parts.length === 0 ? null : `${capitalise(list(parts, "y"))}.`;
  },
  contrast: (items) =>
    `Frente al cliente medio tienen ${
      list(
        items.map((c) =>
          (c.phrase ?? `${c.direction === "higher" ? "mayor" : "menor"} ${c.label}`) +
          opt(c.ratio, (r) => ` (${r} veces la media)`)
        ),
        "y",
      )
    }.`,
  gist: {
    champions: "Son sus mejores clientes: compran a menudo y son los que más gastan.",
    at_risk_big_spenders:
      "Antes gastaban mucho pero hace tiempo que no vuelven, así que pueden estar a punto de irse.",
    big_spenders: "Gastan bastante más que el cliente medio.",
    dormant: "Hace mucho que no compran y gastan poco.",
    slipping: "Llevan más tiempo de lo habitual sin comprar y se están alejando.",
    newcomers: "Compraron hace poco pero pocas veces: todavía le están conociendo.",
    bargain_hunters: "Vuelven a menudo pero gastan poco en cada compra.",
    regulars: "Compran con más frecuencia que la mayoría.",
    budget: "Gastan menos que la mayoría de los clientes.",
    affluent_cautious: "Podrían gastar más de lo que gastan ahora con usted.",
    typical: "Están cerca del cliente medio en casi todo.",
  },
  action: {
    vip: () =>
      "Inclúyalos en un nivel VIP (acceso anticipado, envío gratis, atención personal) en lugar de hacer descuentos.",
    referral: () => "Pídales reseñas y recomendaciones, premiando cada primera compra referida.",
    winback: (f) =>
      "Envíe una oferta de recuperación personalizada según sus compras anteriores antes de que se vayan" +
      opt(f.recency, (v) => ` (última compra hace ${v} días de media)`) + ".",
    feedback: () => "Pregúnteles por qué dejaron de comprar y corrija el motivo más citado.",
    onboarding: () =>
      "Lance una secuencia de bienvenida con un incentivo para la segunda compra válido 30 días.",
    first_cross_sell: () => "Recomiende productos que complementen sus primeras compras.",
    bundle: (f) =>
      "Ofrezca packs y descuentos por volumen para subir el ticket" +
      opt(f.ticket, (v) => ` por encima de ${v}`) + ".",
    upsell: () => "Ofrezca gamas premium en las categorías que ya compran.",
    reactivation: () =>
      "Pruebe una campaña de reactivación de bajo coste y saque de los canales de pago a quien no responda.",
    frequency_boost: (f) =>
      "Use recordatorios de reposición y puntos multiplicados para aumentar la frecuencia de compra" +
      opt(f.frequency, (v) => ` desde ${v}`) + ".",
    cross_category: (f) =>
      "Haga venta cruzada de otras categorías" +
      opt(f.diversity, (v) => `: de media solo compran en ${v} categorías`) + ".",
    loyalty_join: () => "Invítelos al programa de fidelización con un bono de alta.",
    premium_nudge: () => "Muéstreles productos premium y recomendaciones personalizadas.",
    nurture: () =>
      "Pruebe un boletín personalizado con los más vendidos para saber a qué ofertas responden.",
  },
  traitAction: (t, r) =>
    t.direction === "higher"
      ? `Diseñe una oferta en torno a sus valores altos de ${t.label}` +
        opt(r, (v) => ` (${v} veces la media)`) + ", lo que más los distingue."
      : `Averigüe por qué tienen valores bajos de ${t.label}` +
        opt(r, (v) => ` (${v} veces la media)`) + " y pruebe una oferta dirigida a ello.",
  rationale: (share, rev, label) =>
    capitalise(`${label}; ${share} de los clientes`) +
    (rev === null ? "." : `, ${rev} de los ingresos.`),
};

const pt: Strings = {
  locale: "pt-BR",
  roleLabel: {
    spend: "gasto",
    frequency: "frequência de compra",
    ticket: "ticket médio",
    recency: "dias desde a última compra",
    loyalty: "fidelidade",
    diversity: "variedade de produtos",
    age: "idade",
    income: "renda",
    spending_score: "pontuação de gastos",
  },
  names: {
    champions: "Fiéis de alto valor",
    at_risk_big_spenders: "Grandes compradores em risco",
    big_spenders: "Grandes compradores",
    dormant: "Clientes inativos",
    slipping: "Habituais se afastando",
    newcomers: "Clientes novos",
    bargain_hunters: "Caçadores de ofertas",
    regulars: "Habituais fiéis",
    budget: "Compradores econômicos",
    affluent_cautious: "Abastados cautelosos",
    typical: "Clientes base",
  },
  pluralRoles: ["recency"],
  qualifier: (d, l, form) =>
    form === "column"
      ? `valores mais ${d === "higher" ? "altos" : "baixos"} de ${l}`
      : `${d === "higher" ? "maior" : "menor"}${form === "plural" ? "es" : ""} ${l}`,
  traitName: (traits) =>
    traits.length === 1
      ? `Valores ${traits[0]!.direction === "higher" ? "altos" : "baixos"} de ${traits[0]!.label}`
      : `Valores ${traits[0]!.direction === "higher" ? "altos" : "baixos"} de ${traits[0]!.label}` +
        ` e ${traits[1]!.direction === "higher" ? "altos" : "baixos"} de ${traits[1]!.label}`,
  segmentName: (name, id) => name === null ? `Segmento ${id}` : `Segmento ${id}: ${name}`,
  categoryTrait: (level, field, share) => `majoritariamente ${field} ${level} (${share})`,
  categoryLabel: {
    gender: "gênero",
    sex: "sexo",
    region: "região",
    channel: "canal",
    education: "educação",
    "marital status": "estado civil",
    country: "país",
    city: "cidade",
  },
  distinctGist: (traits) =>
    traits.length === 0
      ? "Distinguem-se claramente do cliente médio."
      : `Não são um grupo médio: o que mais os diferencia são os valores ${
        traitList(traits, "altos", "baixos", "e")
      }.`,
  traitLabel: (traits) =>
    traits.length === 0
      ? "clientes singulares"
      : `clientes com valores ${traitList(traits, "altos", "baixos", "e")}`,
  recencyPhrase: {
    higher: "mais tempo desde a última compra",
    lower: "uma última compra mais recente",
  },
  label: {
    valueHigh: "de alto valor",
    valueLow: "de baixo valor",
    frequent: "frequentes",
    infrequent: "pouco frequentes",
    recent: "recentes",
    lapsed: "inativos",
    loyal: "fiéis",
    typical: "médios",
    customers: "clientes",
  },
  intro: (name, n, share, rev) =>
    `${name}: ${n} clientes (${share} da base)` +
    (rev === null ? "." : ` que geram ${rev} da receita.`),
  facts: (f) => {
    const parts = [
      opt(f.spend, (v) => `gastam ${v} em média`),
      opt(f.ticket, (v) => `têm ticket médio de ${v}`),
      opt(f.frequency, (v) => `fazem ${v} compras`),
      opt(f.recency, (v) => `compraram pela última vez há ${v} dias`),
      opt(f.loyalty, (v) => `têm pontuação de fidelidade de ${v}`),
    ].filter((s) => s !== "");
    return parts.length === 0 ? null : `${capitalise(list(parts, "e"))}.`;
  },
  contrast: (items) =>
    `Em relação ao cliente médio, têm ${
      list(
        items.map((c) =>
          (c.phrase ?? `${c.direction === "higher" ? "maior" : "menor"} ${c.label}`) +
          opt(c.ratio, (r) => ` (${r} vezes a média)`)
        ),
        "e",
      )
    }.`,
  gist: {
    champions: "São seus melhores clientes: compram com frequência e gastam mais.",
    at_risk_big_spenders:
      "Já gastaram muito, mas não voltam há bastante tempo e podem estar prestes a abandonar a marca.",
    big_spenders: "Gastam bem acima do cliente médio.",
    dormant: "Não compram há muito tempo e gastam pouco.",
    slipping: "Estão há mais tempo que o normal sem comprar e se afastando.",
    newcomers: "Compraram recentemente, mas poucas vezes: ainda estão conhecendo a marca.",
    bargain_hunters: "Voltam com frequência, mas gastam pouco por compra.",
    regulars: "Compram com mais frequência que a maioria.",
    budget: "Gastam menos que a maioria dos clientes.",
    affluent_cautious: "Poderiam gastar mais do que gastam hoje com você.",
    typical: "Estão próximos do cliente médio na maioria das medidas.",
  },
  action: {
    vip: () =>
      "Inclua-os em um nível VIP (acesso antecipado, frete grátis, atendimento personalizado) em vez de dar descontos.",
    referral: () => "Peça avaliações e indicações, premiando cada primeira compra indicada.",
    winback: (f) =>
      "Envie uma oferta de reconquista personalizada com base nas compras anteriores antes que abandonem" +
      opt(f.recency, (v) => ` (última compra há ${v} dias em média)`) + ".",
    feedback: () => "Pergunte por que pararam de comprar e corrija o motivo mais citado.",
    onboarding: () =>
      "Crie uma sequência de boas-vindas com incentivo à segunda compra válido por 30 dias.",
    first_cross_sell: () => "Recomende produtos que complementem as primeiras compras.",
    bundle: (f) =>
      "Ofereça kits e descontos por volume para elevar o ticket" +
      opt(f.ticket, (v) => ` acima de ${v}`) + ".",
    upsell: () => "Ofereça linhas premium nas categorias que já compram.",
    reactivation: () =>
      "Teste uma campanha de reativação de baixo custo e retire dos canais pagos quem não responder.",
    frequency_boost: (f) =>
      "Use lembretes de reposição e pontos em dobro para aumentar a frequência de compra" +
      opt(f.frequency, (v) => ` de ${v}`) + ".",
    cross_category: (f) =>
      "Faça venda cruzada de outras categorias" +
      opt(f.diversity, (v) => `: em média compram em apenas ${v} categorias`) + ".",
    loyalty_join: () => "Convide-os para o programa de fidelidade com um bônus de adesão.",
    premium_nudge: () => "Mostre produtos premium e recomendações personalizadas.",
    nurture: () =>
      "Teste uma newsletter personalizada com os mais vendidos para descobrir a que ofertas respondem.",
  },
  traitAction: (t, r) =>
    t.direction === "higher"
      ? `Crie uma oferta em torno dos valores altos de ${t.label}` +
        opt(r, (v) => ` (${v} vezes a média)`) + ", o que mais os diferencia."
      : `Descubra por que têm valores baixos de ${t.label}` +
        opt(r, (v) => ` (${v} vezes a média)`) + " e teste uma oferta voltada para isso.",
  rationale: (share, rev, label) =>
    capitalise(`${label}; ${share} dos clientes`) +
    (rev === null ? "." : `, ${rev} da receita.`),
};

/** The strings of each language. */
export const STRINGS: Record<Language, Strings> = { en, es, pt };
