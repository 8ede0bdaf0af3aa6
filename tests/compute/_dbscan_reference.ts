/**
 * scikit-learn's `dbscan_inner`, transcribed over materialised ε-neighbourhoods: the reference
 * that the DBSCAN tests compare labels with, exactly (test sizes only, O(n²)).
 */
export function bruteForceDbscan(
  x: Float32Array,
  n: number,
  d: number,
  eps: number,
  minSamples: number,
): { core: Uint8Array; labels: Int32Array } {
  const neighbours: number[][] = [];
  for (let i = 0; i < n; i++) {
    const list: number[] = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (x[i * d + t]! - x[j * d + t]!) ** 2;
      if (s <= eps * eps) list.push(j);
    }
    neighbours.push(list);
  }
  const core = Uint8Array.from(neighbours, (l) => (l.length >= minSamples ? 1 : 0));
  const labels = new Int32Array(n).fill(-1);
  let label = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !core[i]) continue;
    const stack = [i];
    while (stack.length) {
      const v = stack.pop()!;
      if (labels[v] !== -1) continue;
      labels[v] = label;
      if (core[v]) { for (const w of neighbours[v]!) if (labels[w] === -1) stack.push(w); }
    }
    label++;
  }
  return { core, labels };
}
