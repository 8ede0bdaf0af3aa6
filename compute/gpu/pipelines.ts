/**
 * Compute pipelines built from the WGSL files in `shaders/`, cached per device by shader,
 * entry point, override constants and baked values. Most parameters are WGSL `override`
 * constants; the few that must be creation-time constants (private array lengths) are baked
 * into the source by replacing lines of the form `const NAME: u32 = 8u; // @baked`, which keeps
 * each file valid WGSL on its own.
 */
import { type GpuDevice, GpuError } from "./device.ts";

/** The WGSL files, one per pass. */
export type ShaderName =
  | "assign"
  | "lloyd_reduce"
  | "lloyd_reduce_rows"
  | "lloyd_update"
  | "dbscan_count"
  | "dbscan_union"
  | "dbscan_border"
  | "silhouette_sums";

/** Which pipeline to build. */
export interface PipelineKey {
  readonly shader: ShaderName;
  readonly entryPoint?: string;
  /** Values of the shader's `override` constants. */
  readonly constants?: Readonly<Record<string, number>>;
  /** Values of its `// @baked` constants. */
  readonly baked?: Readonly<Record<string, number>>;
}

const sources = new Map<ShaderName, Promise<string>>();

/** The source of `shaders/<name>.wgsl`, read once per process. */
export function shaderSource(name: ShaderName): Promise<string> {
  let src = sources.get(name);
  if (!src) {
    src = Deno.readTextFile(new URL(`../../shaders/${name}.wgsl`, import.meta.url));
    src.catch(() => sources.delete(name));
    sources.set(name, src);
  }
  return src;
}

/**
 * Replaces each `const NAME: u32 = <n>u; // @baked` line with the given value.
 *
 * @throws {GpuError} when a name has no such line or a value is not a u32.
 */
export function bake(source: string, values: Readonly<Record<string, number>>): string {
  let out = source;
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new GpuError(`Expected baked ${name} to be a u32 but found ${value}`);
    }
    const line = new RegExp(`^const ${name}: u32 = \\d+u; // @baked$`, "m");
    if (!line.test(out)) throw new GpuError(`The shader has no baked constant ${name}`);
    out = out.replace(line, `const ${name}: u32 = ${value}u; // @baked`);
  }
  return out;
}

/** The pipelines of one device. */
export class Pipelines {
  readonly #modules = new Map<string, GPUShaderModule>();
  readonly #pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(readonly gpu: GpuDevice) {}

  /**
   * The pipeline for `key`, compiled on first use.
   *
   * @throws {GpuError} when the shader does not compile or validate.
   */
  get(key: PipelineKey): Promise<GPUComputePipeline> {
    const entryPoint = key.entryPoint ?? "main";
    const baked = key.baked ?? {};
    const moduleKey = `${key.shader}${JSON.stringify(sorted(baked))}`;
    const id = `${moduleKey}:${entryPoint}${JSON.stringify(sorted(key.constants ?? {}))}`;
    let pipeline = this.#pipelines.get(id);
    if (!pipeline) {
      pipeline = this.#build(key.shader, moduleKey, baked, entryPoint, key.constants ?? {}, id);
      pipeline.catch(() => this.#pipelines.delete(id));
      this.#pipelines.set(id, pipeline);
    }
    return pipeline;
  }

  async #build(
    shader: ShaderName,
    moduleKey: string,
    baked: Readonly<Record<string, number>>,
    entryPoint: string,
    constants: Readonly<Record<string, number>>,
    label: string,
  ): Promise<GPUComputePipeline> {
    const code = bake(await shaderSource(shader), baked);
    return await this.gpu.scoped(`compile ${label}`, () => {
      const device = this.gpu.device;
      let module = this.#modules.get(moduleKey);
      if (!module) {
        module = device.createShaderModule({ label: `${shader}.wgsl`, code });
        this.#modules.set(moduleKey, module);
      }
      return device.createComputePipeline({
        label,
        layout: "auto",
        compute: { module, entryPoint, constants: { ...constants } },
      });
    });
  }
}

function sorted(o: Readonly<Record<string, number>>): Array<[string, number]> {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
