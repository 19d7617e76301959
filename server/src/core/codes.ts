// The table of finding codes: every code Model Audit reports, with its name, default severity, documentation and
// how safe its quick fix is. docs/rules/ (scripts/gen-rule-docs.ts), the SARIF rule metadata (sarif.ts) and
// `model-audit rules` are generated from it. Rules enter it from the rule registry (registering a rule is the one
// step), probes from the probe registry (`server/src/probe/registry.ts`, handed in by the edges, since running a
// probe is not the core's business); the codes below are the ones no registry owns: the frontends' hint (MA000) and
// the spec language's (MS).

import type { Severity } from './graph';
import { ALL_RULES } from './rules/registry';
import type { Rule } from './rules/rule';

/** What produces a code: a rule over a model graph, over training code, a frontend, the spec diff, a probe. */
export type CodeKind = 'model-rule' | 'training-rule' | 'hint' | 'spec' | 'probe';

/**
 * Whether a finding's quick fix can be applied without thought: `safe` (it computes what was meant), `review` (it
 * changes what the model computes or loads, so read it first), `none` (no quick fix; a design decision).
 */
export type FixSafety = 'safe' | 'review' | 'none';

export interface FindingCode {
  readonly code: string;
  /** The pattern it flags, kebab-case; configuration takes it wherever it takes the code. */
  readonly name: string;
  readonly kind: CodeKind;
  readonly defaultSeverity: Severity;
  /** One sentence: what the code reports. */
  readonly summary: string;
  /** Why it matters although nothing crashes. */
  readonly why: string;
  /** What the quick fix does and whether it is safe, in words. */
  readonly fix: string;
  readonly fixSafety: FixSafety;
  /** For rules: the rule itself, whose docs add a flagged and a fixed example. */
  readonly rule?: Rule;
}

/** The fix safety a rule's fix text states: "No automatic fix…" → none, "… Safe …" → safe, else review. */
export function fixSafetyOf(fix: string): FixSafety {
  if (/^No automatic fix/i.test(fix)) return 'none';
  return /\bSafe\b|\bsafe[.;:]/.test(fix) ? 'safe' : 'review';
}

function ruleCode(rule: Rule): FindingCode {
  return {
    code: rule.code,
    name: rule.name,
    kind: rule.kind === 'file' ? 'training-rule' : 'model-rule',
    defaultSeverity: rule.defaultSeverity,
    summary: rule.docs.summary,
    why: rule.docs.why,
    fix: rule.docs.fix,
    fixSafety: rule.docs.fixSafety ?? fixSafetyOf(rule.docs.fix),
    rule,
  };
}

/** Codes no registry owns: the frontends' hint and the spec language's findings. */
const OTHER_CODES: readonly FindingCode[] = [
  {
    code: 'MA000', name: 'not-understood', kind: 'hint', defaultSeverity: 'hint',
    summary: 'Code the extractor does not understand, shown as an opaque step `‹name›(…)` in the equation.',
    why: 'A step Model Audit cannot read hides whatever it computes from the rules and the spec diff: a missing activation or a shape mismatch behind it goes unreported. The hint says which call it could not follow.',
    fix: 'No automatic fix: rewrite the step with layers the frontend knows, or leave it; the rest of the model is still checked.',
    fixSafety: 'none',
  },
  {
    code: 'MS001', name: 'spec-op-missing', kind: 'spec', defaultSeverity: 'warning',
    summary: 'The spec has an operation the code lacks (a relu after a layer, a dropout, a norm).',
    why: 'The code trains a different model from the one the spec describes; an activation the spec has and the code lacks makes layers collapse into one linear map, and nothing crashes.',
    fix: 'Inserts the operation into the code where the spec has it (where the frontend can write it), or removes it from the spec. Review: either side may be the intended one.',
    fixSafety: 'review',
  },
  {
    code: 'MS002', name: 'spec-op-extra', kind: 'spec', defaultSeverity: 'warning',
    summary: 'The code has an operation the spec lacks.',
    why: 'An extra activation, softmax or dropout changes what the model computes (a softmax before a loss that applies one flattens the gradients) while training still runs.',
    fix: 'Adds the operation to the spec, or removes it from the code where the frontend can. Review: either side may be the intended one.',
    fixSafety: 'review',
  },
  {
    code: 'MS003', name: 'spec-op-different', kind: 'spec', defaultSeverity: 'warning',
    summary: 'A different operation where the spec has one (tanh where the spec says relu).',
    why: 'The code computes another function than the one designed; results differ from the paper or the design review with no error to say so.',
    fix: 'Updates the spec to the code\'s operation. Review: the code may be the side that is wrong.',
    fixSafety: 'review',
  },
  {
    code: 'MS004', name: 'spec-dim-mismatch', kind: 'spec', defaultSeverity: 'warning',
    summary: 'A width, channel count, kernel, stride or padding differs from the spec.',
    why: 'A narrower layer or another kernel gives a model of another capacity and receptive field; it trains, just not as the design said.',
    fix: 'Updates the spec\'s values to the code\'s. Review: the code may be the side that is wrong.',
    fixSafety: 'review',
  },
  {
    code: 'MS005', name: 'spec-structure-mismatch', kind: 'spec', defaultSeverity: 'warning',
    summary: 'A connection differs from the spec: a residual, a concat, a branch, weight sharing, the inputs or outputs.',
    why: 'A missing residual or an accidental weight sharing changes how gradients flow; a deep network without its skip connections trains far worse and says nothing.',
    fix: 'No automatic fix: a connection is written across several lines of code, so which edit restores it is a design decision.',
    fixSafety: 'none',
  },
  {
    code: 'MS010', name: 'spec-syntax', kind: 'spec', defaultSeverity: 'error',
    summary: 'The spec does not parse; the message gives the precise range and what was expected.',
    why: 'A spec line that does not parse describes nothing, so the diff against the code cannot say whether the code follows it.',
    fix: 'No automatic fix: correct the line as the message says (the spec language is in docs/spec-language.md).',
    fixSafety: 'none',
  },
  {
    code: 'MS011', name: 'spec-unbound', kind: 'spec', defaultSeverity: 'error',
    summary: "The spec's model or code file cannot be found.",
    why: 'A spec bound to nothing is never compared with code, so it stops guarding the model without anyone noticing.',
    fix: 'No automatic fix: add or correct `model NAME in "path"` (relative to the spec); the message names the models the file has.',
    fixSafety: 'none',
  },
];

/** How codes sort in the table and the docs: MA, MT, MS, MP, each by number. */
const FAMILY_ORDER = ['MA', 'MT', 'MS', 'MP'];
function compareCodes(a: FindingCode, b: FindingCode): number {
  const family = (c: string) => (FAMILY_ORDER.indexOf(c.slice(0, 2)) + FAMILY_ORDER.length + 1) % (FAMILY_ORDER.length + 1);
  return family(a.code) - family(b.code) || a.code.localeCompare(b.code);
}

/**
 * The table: every rule in the registry, the codes above, and the probe codes the edge hands in (the CLI, the
 * docs generator and the server pass `PROBE_CODES_TABLE` from the probe registry). A code listed twice is a bug
 * the table test reports.
 */
export function findingCodes(probes: readonly FindingCode[] = []): readonly FindingCode[] {
  return [...ALL_RULES.map(ruleCode), ...OTHER_CODES, ...probes].sort(compareCodes);
}

/** The codes the core itself reports (rules, MA000, MS), without probes. */
export const CORE_CODES: readonly FindingCode[] = findingCodes();

/** A code's entry, by code. */
export function codeInfo(code: string, table: readonly FindingCode[] = CORE_CODES): FindingCode | undefined {
  return table.find((c) => c.code === code);
}

/** A code's default severity: the table's, else `warning`. */
export function defaultSeverityOf(code: string): Severity {
  return codeInfo(code)?.defaultSeverity ?? 'warning';
}
