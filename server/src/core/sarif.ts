// SARIF 2.1.0 output for code scanning (`model-audit check --format sarif`): the analyses of a run become one SARIF
// log whose rule metadata (name, descriptions, help, default level) comes from the table of finding codes (codes.ts), so pull-request
// annotations carry the same documentation as docs/rules/. Pure: the CLI writes the returned value as JSON.

import type * as Sarif from 'sarif';
import type { FileAnalysis } from './fileAnalysis';
import type { Finding } from './findings';
import type { Range, Severity, TextEdit } from './graph';
import { NotebookProgram } from './notebook';
import { CORE_CODES, type FindingCode } from './codes';
import { renderCodeDoc } from './rules/ruleDocs';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function sarifLevel(severity: Severity): Sarif.ReportingConfiguration.level {
  switch (severity) {
    case 'error':
      return 'error';
    case 'warning':
      return 'warning';
    default:
      return 'note';
  }
}

/** A path as given (relative, or absolute POSIX or Windows) as a SARIF artifact URI. */
export function artifactUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const encode = (p: string) => p.split('/').map((s) => encodeURIComponent(s).replace(/%3A/gi, ':')).join('/');
  if (/^[A-Za-z]:\//.test(slashed)) return `file:///${encode(slashed)}`;
  if (slashed.startsWith('/')) return `file://${encode(slashed)}`;
  return encode(slashed.replace(/^\.\//, ''));
}

function region(range: Range): Sarif.Region {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** A code's SARIF rule metadata, from the table of finding codes; rules carry their whole page as help. */
function descriptor(entry: FindingCode): Sarif.ReportingDescriptor {
  const tags = entry.kind === 'model-rule' ? ['model', 'soft-bug'] : entry.kind === 'training-rule' ? ['training-loop', 'soft-bug'] : [entry.kind];
  return {
    id: entry.code,
    name: entry.name,
    shortDescription: { text: entry.summary },
    fullDescription: { text: entry.why },
    help: { text: `${entry.summary}\n\n${entry.why}\n\nFix: ${entry.fix}`, markdown: renderCodeDoc(entry) },
    defaultConfiguration: { level: sarifLevel(entry.defaultSeverity) },
    properties: { tags, fixSafety: entry.fixSafety },
  };
}

/** A code the table does not know (a newer server's, say): its id and a generic description. */
function unknownDescriptor(code: string): Sarif.ReportingDescriptor {
  const text = `Model Audit finding ${code}.`;
  return { id: code, name: code.toLowerCase(), shortDescription: { text }, fullDescription: { text }, defaultConfiguration: { level: 'warning' } };
}

/**
 * Regions in the file's own text, or for a notebook (SARIF has no notion of cells) the region within the cell, with
 * the cell's 0-based index (among all cells, as in the file's `cells` list) in the region's properties.
 */
type Regions = (range: Range) => Sarif.Region;

function notebookRegions(program: NotebookProgram): Regions {
  return (range) => {
    const found = NotebookProgram.toCellRange(program, range);
    return found ? { ...region(found.at), properties: { cell: found.cell } } : region(range);
  };
}

function fix(uri: string, title: string, edits: readonly TextEdit[], regionOf: Regions): Sarif.Fix {
  return {
    description: { text: title },
    artifactChanges: [{
      artifactLocation: { uri },
      replacements: edits.map((e) => ({ deletedRegion: regionOf(e.range), insertedContent: { text: e.newText } })),
    }],
  };
}

function result(finding: Finding, uri: string, artifactIndex: number, ruleIndex: number, regionOf: Regions): Sarif.Result {
  const location = (range: Range, path?: string): Sarif.Location => ({
    physicalLocation: {
      artifactLocation: path === undefined ? { uri, index: artifactIndex } : { uri: artifactUri(path) },
      region: path === undefined ? regionOf(range) : region(range),
    },
  });
  const out: Sarif.Result = {
    ruleId: finding.code,
    ruleIndex,
    level: sarifLevel(finding.severity),
    message: { text: finding.message },
    locations: [location(finding.range)],
  };
  if (finding.related && finding.related.length > 0) {
    out.relatedLocations = finding.related.map((r, i) => ({ ...location(r.range, r.path), id: i + 1, message: { text: r.message } }));
  }
  if (finding.fixes && finding.fixes.length > 0) {
    out.fixes = finding.fixes.map((f) => (f.path === undefined ? fix(uri, f.title, f.edits, regionOf) : fix(artifactUri(f.path), f.title, f.edits, region)));
  }
  const props: Record<string, unknown> = {};
  if (finding.model) props.model = finding.model;
  if (finding.stale) props.stale = true;
  if (Object.keys(props).length > 0) out.properties = props;
  return out;
}

/**
 * One SARIF 2.1.0 log for the analysed files. Every rule is described (so a code-scanning tool can show rules with
 * no results too); the table's other codes (MA000, MS, MP: `codes` has the probes' when the edge passes them) are
 * described when they occur.
 */
export function toSarif(files: readonly FileAnalysis[], toolVersion: string, notebooks: ReadonlyMap<string, NotebookProgram> = new Map(), codes: readonly FindingCode[] = CORE_CODES): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = codes.filter((c) => c.rule !== undefined).map(descriptor);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const artifacts: Sarif.Artifact[] = [];
  const results: Sarif.Result[] = [];
  for (const file of files) {
    const uri = artifactUri(file.path);
    const notebook = notebooks.get(file.path);
    const regionOf = notebook ? notebookRegions(notebook) : region;
    const artifactIndex = artifacts.length;
    artifacts.push({ location: { uri }, sourceLanguage: file.language });
    for (const finding of file.findings) {
      if (!ruleIndex.has(finding.code)) {
        ruleIndex.set(finding.code, rules.length);
        const entry = codes.find((c) => c.code === finding.code);
        rules.push(entry ? descriptor(entry) : unknownDescriptor(finding.code));
      }
      results.push(result(finding, uri, artifactIndex, ruleIndex.get(finding.code)!, regionOf));
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'model-audit',
          fullName: 'Model Audit',
          version: toolVersion,
          ...(/^\d+\.\d+\.\d+/.test(toolVersion) ? { semanticVersion: toolVersion } : {}),
          rules,
        },
      },
      artifacts,
      results,
      columnKind: 'utf16CodeUnits',
    }],
  };
}
