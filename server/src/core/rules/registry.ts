// The rule registry: every model rule, by code. Docs, SARIF metadata and configuration all read from here.

import { linearCollapse } from './linearCollapse';
import type { ModelRule } from './rule';
import { shapeMismatch } from './shapeMismatch';
import { unusedLayer } from './unusedLayer';

export const MODEL_RULES: readonly ModelRule[] = [linearCollapse, unusedLayer, shapeMismatch];

export const RULES_BY_CODE: ReadonlyMap<string, ModelRule> = new Map(MODEL_RULES.map((r) => [r.code, r]));
