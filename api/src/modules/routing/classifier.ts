import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import naiveBayes from 'wink-naive-bayes-text-classifier';
import type nlpUtilsModule from 'wink-nlp-utils';
import { type DomainClassifier, type DomainPrediction } from './model.js';
import { DOMAINS, type Domain } from '../vocabulary/index.js';
import { LABELLED_EXAMPLES, type LabelledExample } from './training/examples.js';

/**
 * The statistical half of triage: a multinomial naive Bayes text classifier (winkjs) trained on the labelled
 * tickets we ship plus any staff corrections. Naive Bayes is chosen for transparency, not state of the art: every
 * score is a sum of per-word counts anyone can inspect in the exported model, training is a single counting pass
 * (so a correction can retrain it in milliseconds), and the model is plain JSON that can be stored beside each
 * decision's `classifierVersion`.
 */

/** Bumped whenever the JSON envelope, the text preparation or the library's model layout changes. */
const MODEL_FORMAT = 'tierdesk-nb/1';

/**
 * The library's defaults (word counts, Laplace smoothing). Presence-only counting, smaller smoothing factors and
 * adding word pairs were tried with 5-fold cross-validation on the shipped examples; none beat the defaults by
 * more than one example in a hundred, so the simplest model stays.
 */
const NB_CONFIG = { considerOnlyPresence: false, smoothingFactor: 1 } as const;

/** What a text with no known word is guessed as: the general questions queue loses the least when it is wrong. */
const FALLBACK_DOMAIN: Domain = 'HOW_TO';

/**
 * The library's stop words, except the few that say what kind of ticket it is: "how do I…" and "where is…" are
 * most of what marks a how-to question, "would", "could" and "should" most of what marks a feature request.
 */
const INTENT_WORDS = new Set(['how', 'what', 'where', 'which', 'why', 'when', 'would', 'could', 'should', 'do', 'does']);
/**
 * wink-nlp-utils takes ~0.3 s to load (it brings a language model), so it is loaded on the first training or
 * prediction rather than by every process that merely imports routing (the API, the worker, the CLI).
 */
let loaded: { nlpUtils: typeof nlpUtilsModule; stopWords: ReturnType<typeof nlpUtilsModule.helper.returnWordsFilter> } | null = null;
function text() {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const nlpUtils = require('wink-nlp-utils') as typeof nlpUtilsModule;
    const stopWords = nlpUtils.helper.returnWordsFilter(
      (require('wink-nlp-utils/src/dictionaries/stop_words.json') as string[]).filter((word) => !INTENT_WORDS.has(word)),
    );
    loaded = { nlpUtils, stopWords };
  }
  return loaded;
}

/**
 * Porter2 stemming is nine tenths of the preparation time and customers reuse the same few thousand words, so
 * stems are remembered; the cache is emptied when full rather than left to grow with arbitrary input.
 */
const STEM_CACHE_LIMIT = 50_000;
const stems = new Map<string, string>();
function stem(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
    stemmed = text().nlpUtils.string.stem(word);
    stems.set(word, stemmed);
  }
  return stemmed;
}

/** Lower-case, split into words (elisions expanded: "can't" → "ca not"), drop stop words, stem. */
function prepareText(input: string): string[] {
  const { nlpUtils, stopWords } = text();
  const words = nlpUtils.string.tokenize0(nlpUtils.string.lowerCase(input));
  return nlpUtils.tokens.removeWords(words, stopWords).map(stem);
}

/**
 * The library prepares the input once per label inside `computeOdds` (seven times per prediction); remembering
 * the last text keeps a prediction to one preparation.
 */
function lastTextMemo(prepare: (text: string) => string[]): (text: string) => string[] {
  let lastText: string | null = null;
  let lastTokens: string[] = [];
  return (text) => {
    if (text !== lastText) {
      lastTokens = prepare(text);
      lastText = text;
    }
    return lastTokens;
  };
}

function newModel(): naiveBayes.NaiveBayesTextClassifier {
  const model = naiveBayes();
  model.definePrepTasks([lastTextMemo(prepareText)]);
  return model;
}

function isDomain(value: string): value is Domain {
  return (DOMAINS as readonly string[]).includes(value);
}

function zeroScores(): Record<Domain, number> {
  return Object.fromEntries(DOMAINS.map((domain) => [domain, 0])) as Record<Domain, number>;
}

/** log(1 + e^x) without overflow for the large odds naive Bayes produces on long texts. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export class TextClassifier implements DomainClassifier {
  private constructor(
    private readonly model: naiveBayes.NaiveBayesTextClassifier,
    readonly version: string,
  ) {}

  /** Only for trainClassifier and fromJSON, which guarantee a consolidated model whose labels are domains. */
  static fromConsolidated(model: naiveBayes.NaiveBayesTextClassifier, version: string): TextClassifier {
    return new TextClassifier(model, version);
  }

  /**
   * The library scores each domain by its log2 odds against all the others together. Read as one-vs-rest
   * posteriors (p = 1 / (1 + 2^-odds)) and normalised over the domains, they become a distribution that sums to 1
   * and keeps the library's ranking. The sums run in log space because odds of ±200 are common on long texts.
   */
  predict(text: string): DomainPrediction {
    const odds = this.model.computeOdds(text);
    const first = odds[0];
    if (first === undefined || !isDomain(first[0])) return uniformPrediction();

    const logPosteriors = odds.map(([label, logOdds]) => [label, -softplus(-logOdds * Math.LN2)] as const);
    const max = Math.max(...logPosteriors.map(([, value]) => value));
    const total = logPosteriors.reduce((sum, [, value]) => sum + Math.exp(value - max), 0);
    const scores = zeroScores();
    for (const [label, value] of logPosteriors) {
      if (isDomain(label)) scores[label] = Math.exp(value - max) / total;
    }
    // Ties keep the library's order, so the returned domain is always the one its `predict` would give.
    const domain = first[0];
    return { domain, confidence: scores[domain], scores };
  }

  toJSON(): string {
    return JSON.stringify({ format: MODEL_FORMAT, version: this.version, model: JSON.parse(this.model.exportJSON()) as unknown });
  }

  static fromJSON(json: string): TextClassifier {
    let envelope: unknown;
    try {
      envelope = JSON.parse(json);
    } catch {
      throw new Error('Malformed classifier model: not JSON');
    }
    if (typeof envelope !== 'object' || envelope === null) throw new Error('Malformed classifier model: not an object');
    const { format, version, model } = envelope as { format?: unknown; version?: unknown; model?: unknown };
    if (format !== MODEL_FORMAT) {
      throw new Error(`Malformed classifier model: format ${JSON.stringify(format)} is not ${MODEL_FORMAT}`);
    }
    if (typeof version !== 'string' || version === '') throw new Error('Malformed classifier model: missing version');
    // The library's layout is [config, samples per label, word counts per label, words per label, vocabulary].
    const samples: unknown = Array.isArray(model) ? model[1] : undefined;
    if (typeof samples !== 'object' || samples === null) throw new Error('Malformed classifier model: missing the learnt counts');
    const unknownLabel = Object.keys(samples).find((label) => !isDomain(label));
    if (unknownLabel !== undefined) throw new Error(`Malformed classifier model: unknown domain ${JSON.stringify(unknownLabel)}`);

    const restored = newModel();
    try {
      restored.importJSON(JSON.stringify(model));
      restored.consolidate();
    } catch (error) {
      throw new Error(`Malformed classifier model: ${(error as Error).message}`, { cause: error });
    }
    return TextClassifier.fromConsolidated(restored, version);
  }
}

function uniformPrediction(): DomainPrediction {
  const share = 1 / DOMAINS.length;
  const scores = Object.fromEntries(DOMAINS.map((domain) => [domain, share])) as Record<Domain, number>;
  return { domain: FALLBACK_DOMAIN, confidence: share, scores };
}

/** Names the model by what it learnt from, so two processes trained on the same data report the same version. */
function modelVersion(examples: readonly LabelledExample[]): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([MODEL_FORMAT, NB_CONFIG, examples.map(({ domain, text }) => [domain, text])]))
    .digest('hex')
    .slice(0, 10);
  return `nb-${hash}-${examples.length}`;
}

/** Trains a classifier on the shipped examples, staff corrections or both; any list of labelled texts will do. */
export function trainClassifier(examples: readonly LabelledExample[]): TextClassifier {
  const perDomain = new Map<Domain, number>();
  for (const { domain } of examples) {
    if (!isDomain(domain)) throw new Error(`Cannot train the classifier: unknown domain ${JSON.stringify(domain)}`);
    perDomain.set(domain, (perDomain.get(domain) ?? 0) + 1);
  }
  const usable = [...perDomain.values()].filter((count) => count >= 2).length;
  if (usable < 2) {
    throw new Error('Cannot train the classifier: it needs at least 2 examples in each of at least 2 domains');
  }

  const model = newModel();
  model.defineConfig(NB_CONFIG);
  for (const { text, domain } of examples) model.learn(text, domain);
  try {
    model.consolidate();
  } catch (error) {
    throw new Error(`Cannot train the classifier: ${(error as Error).message}`, { cause: error });
  }
  return TextClassifier.fromConsolidated(model, modelVersion(examples));
}

let shipped: TextClassifier | null = null;

/** The classifier trained on the shipped examples, built once per process. */
export function defaultClassifier(): TextClassifier {
  shipped ??= trainClassifier(LABELLED_EXAMPLES);
  return shipped;
}

/**
 * Splits deterministically for evaluation: within each domain, every `everyNth` example is held back for testing,
 * so each domain is tested in proportion to its size and reruns compare like with like. `fold` (0 to everyNth - 1)
 * picks which of the `everyNth` interleaved splits: fold 0 holds back the 5th, 10th, …; fold 1 the 1st, 6th, ….
 */
export function holdOutSplit(
  examples: readonly LabelledExample[],
  everyNth = 5,
  fold = 0,
): { train: LabelledExample[]; test: LabelledExample[] } {
  if (!Number.isInteger(everyNth) || everyNth < 2) throw new Error('holdOutSplit: everyNth must be an integer of at least 2');
  if (!Number.isInteger(fold) || fold < 0 || fold >= everyNth)
    throw new Error('holdOutSplit: fold must be an integer from 0 to everyNth - 1');
  const seen = new Map<Domain, number>();
  const train: LabelledExample[] = [];
  const test: LabelledExample[] = [];
  for (const example of examples) {
    const position = (seen.get(example.domain) ?? 0) + 1;
    seen.set(example.domain, position);
    (position % everyNth === fold ? test : train).push(example);
  }
  return { train, test };
}

export interface ClassifierEvaluation {
  accuracy: number;
  total: number;
  correct: number;
  perDomain: Record<Domain, { precision: number; recall: number; support: number }>;
  /** confusion[actual][predicted]: how many examples of `actual` were classified as `predicted`. */
  confusion: Record<Domain, Record<Domain, number>>;
}

export function evaluateClassifier(classifier: DomainClassifier, examples: readonly LabelledExample[]): ClassifierEvaluation {
  const confusion = Object.fromEntries(DOMAINS.map((domain) => [domain, zeroScores()])) as Record<Domain, Record<Domain, number>>;
  let correct = 0;
  for (const { text, domain } of examples) {
    const predicted = classifier.predict(text).domain;
    confusion[domain][predicted] += 1;
    if (predicted === domain) correct += 1;
  }

  const perDomain = {} as ClassifierEvaluation['perDomain'];
  for (const domain of DOMAINS) {
    const truePositives = confusion[domain][domain];
    const support = DOMAINS.reduce((sum, predicted) => sum + confusion[domain][predicted], 0);
    const predictedAs = DOMAINS.reduce((sum, actual) => sum + confusion[actual][domain], 0);
    perDomain[domain] = {
      precision: predictedAs === 0 ? 0 : truePositives / predictedAs,
      recall: support === 0 ? 0 : truePositives / support,
      support,
    };
  }
  const total = examples.length;
  return { accuracy: total === 0 ? 0 : correct / total, total, correct, perDomain, confusion };
}
