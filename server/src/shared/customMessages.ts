// Model Audit's custom LSP requests, shared by the server and the VS Code client: each a namespace with its method
// and its types. Add new requests here, one namespace each, so both sides agree on one definition. Plain data and
// method names only, so the module is free of either side's protocol library.

/**
 * `modelAudit/specRenderings`: for a spec file, or a code file bound to specs, each bound model's spec and code,
 * both printed in the spec notation, so an editor can show them in its diff view line by line.
 */
export namespace SpecRenderings {
  export const method = 'modelAudit/specRenderings';
  export interface Params {
    readonly uri: string;
  }
  export interface Pair {
    readonly model: string;
    readonly specUri: string;
    readonly codeUri: string;
    /** The spec's graph printed in the spec notation. */
    readonly specText: string;
    /** The code's graph printed in the same notation. */
    readonly codeText: string;
  }
  export interface Result {
    readonly pairs: readonly Pair[];
  }
}

/** `modelAudit/generateSpec`: a spec that matches a code file's models, naming the code by `codePath`. */
export namespace GenerateSpec {
  export const method = 'modelAudit/generateSpec';
  export interface Params {
    readonly uri: string;
    /** The code file as the new spec should name it: relative to where the spec will be saved. */
    readonly codePath: string;
    /** Only this model; all the file's models when absent. */
    readonly model?: string;
  }
  export interface Result {
    readonly text: string;
    readonly models: readonly string[];
  }
}

/**
 * `modelAudit/equation`: the equation of the model under a position in a code file (or the model named), with
 * everything the equation panel shows: the closed form and steps in LaTeX and Unicode, the collapse, each
 * parameter with its shape and source line, and the LaTeX and Markdown documents the "Copy as …" commands copy.
 */
export namespace ModelEquationRequest {
  export const method = 'modelAudit/equation';
  export interface Params {
    readonly uri: string;
    /** 0-based, as in LSP: the model whose definition contains it, else the nearest model above it. */
    readonly position?: { readonly line: number; readonly character: number };
    /** A model by name; wins over `position`. */
    readonly model?: string;
  }
  export interface Parameter {
    /** As printed in Unicode: W₁. */
    readonly display: string;
    readonly latex: string;
    readonly kind: 'weight' | 'bias';
    /** 256×784, or absent when unknown. */
    readonly shape?: string;
    /** The layer's attribute path: fc1, blocks.0.attn.query. */
    readonly module?: string;
    /** 0-based line where the layer is built. */
    readonly line?: number;
    /** For a parameter of a repeated block: the block and how many times it is applied (each with its own copy). */
    readonly block?: string;
    readonly applications?: number;
    /** True when every application of the block uses this same tensor (one layer instance reused). */
    readonly shared?: boolean;
  }
  export interface Value {
    /** As printed in Unicode: h₁, y, EncoderBlock(z). */
    readonly display: string;
    readonly latex: string;
    /** Per sample (the batch axis left out): 64×H×W; absent when unknown. */
    readonly shape?: string;
    /** 0-based line where the value is computed. */
    readonly line?: number;
  }
  /**
   * The model in another configuration than its equation shows, where the code branches on one (`if self.use_bn:`):
   * the equation, the findings and every other field of `Model` follow the default (or, for a value the code does
   * not fix, the first branch).
   */
  export interface Alternative {
    /** The condition as written where the code first branches on it: `self.use_bn`. */
    readonly condition: string;
    /** What the model's own equation assumes: `use_bn=True` (a default), or `config.pre_norm` (not known). */
    readonly assumed: string;
    /** The case this equation shows: `use_bn=False`, `not config.pre_norm`. */
    readonly when: string;
    /** True when `assumed` is a default the code writes; false when the value is not known and the first branch was taken. */
    readonly known: boolean;
    /** As the CLI prints it: `if use_bn=False (default: use_bn=True)`. */
    readonly label: string;
    /** 0-based line of the condition. */
    readonly line: number;
    /** The closed form in that case, in one Unicode line: y = ReLU(W₁∗x + b₁). A layer keeps its W index in every configuration. */
    readonly unicode: string;
    /** The same as display lines (`name = expression`), like `Model.latexLines`. */
    readonly latexLines: readonly string[];
  }
  export interface Model {
    readonly name: string;
    readonly framework: string;
    readonly uri: string;
    /** 0-based line of the model's name. */
    readonly line: number;
    /** The closed form in one Unicode line, as the code lens shows it. */
    readonly unicode: string;
    /** Block definitions, outputs and named values, one LaTeX line each (`name = expression`). */
    readonly latexLines: readonly string[];
    readonly latexSteps: readonly string[];
    readonly latexCollapsed?: readonly string[];
    readonly parameters: readonly Parameter[];
    /** Each named value of the steps (h₁, …, a block's output, y) with its per-sample shape and source line. */
    readonly values: readonly Value[];
    /** What "Copy as LaTeX" copies: the steps in an `aligned` block. */
    readonly latexDocument: string;
    /** What "Copy as Markdown" copies: display math in `$$` blocks and the parameter table. */
    readonly markdown: string;
    /** True when kept from the last version of the text that parsed. */
    readonly stale?: boolean;
    /** The model in its other configurations, in the order the code branches; absent when it has none. */
    readonly alternatives?: readonly Alternative[];
  }
  export interface Result {
    /** Absent when the file has no model at or above the position. */
    readonly model?: Model;
    /** The names of every model in the file. */
    readonly models: readonly string[];
  }
}

/** `modelAudit/probeReport`: the report of a document's last probe runs (loss curves as inline SVG), if any. */
export namespace ProbeReport {
  export const method = 'modelAudit/probeReport';
  export interface Params {
    readonly uri: string;
  }
  export interface Result {
    /** A standalone HTML page: every run's verdicts and loss curves (code vs spec vs linear baseline). */
    readonly html: string;
    /** Each run's loss chart as a standalone SVG document, for saving. */
    readonly charts: readonly { readonly model: string; readonly svg: string }[];
  }
}

/**
 * `modelAudit/workspaceTrust` (notification, client to server): the workspace's trust changed after the server
 * started. The server starts with `initializationOptions.workspaceTrusted` and refuses probes while it is false; VS
 * Code sends this when the user grants trust, so probes run from then on without a restart.
 */
export namespace WorkspaceTrust {
  export const method = 'modelAudit/workspaceTrust';
  export interface Params {
    readonly trusted: boolean;
  }
}
