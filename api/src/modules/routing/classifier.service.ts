import type { EntityManager } from '@mikro-orm/postgresql';
import { actorOf, type RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { defaultClassifier, evaluateClassifier, holdOutSplit, TextClassifier, trainClassifier } from './classifier.js';
import type { DomainClassifier } from './model.js';
import { ClassifierModel, TriageDecision } from './routing.entity.js';
import { LABELLED_EXAMPLES, type LabelledExample } from './training/examples.js';

const ALL_TENANTS = { tenant: { allTenants: true } } as const;

let loaded: { version: string; classifier: DomainClassifier } | null = null;

/**
 * The classifier triage uses: the newest retrained model, else the one trained on the shipped labelled set.
 * Only the version is read per call; a model is parsed once per process and version, so a retrain in one
 * process reaches the others on their next ticket.
 */
export async function activeClassifier(em: EntityManager): Promise<DomainClassifier> {
  const [latest] = await em.find(ClassifierModel, {}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 1, fields: ['version'] });
  if (!latest) return defaultClassifier();
  if (loaded?.version === latest.version) return loaded.classifier;
  const row = await em.findOneOrFail(ClassifierModel, { id: latest.id });
  loaded = { version: row.version, classifier: TextClassifier.fromJSON(row.model) };
  return loaded.classifier;
}

/** Staff corrections as training examples: the ticket's text labelled with the domain staff chose. */
async function correctionExamples(em: EntityManager): Promise<LabelledExample[]> {
  const corrected = await em.find(
    TriageDecision,
    { correctedDomain: { $ne: null } },
    { populate: ['ticket'], filters: ALL_TENANTS, orderBy: { correctedAt: 'asc' }, limit: 50_000 },
  );
  return corrected.map((decision) => ({
    text: `${decision.ticket.subject}\n${decision.ticket.description}`,
    domain: decision.correctedDomain!,
  }));
}

/**
 * Retrains on the shipped set plus every staff correction. The accuracy reported is honest: a model trained
 * without the held-back fifth of the shipped set is scored on it; the model stored is then trained on everything.
 */
export async function retrainClassifier(ctx: RequestContext): Promise<ClassifierModel> {
  return ctx.transaction(async ({ em }) => {
    const corrections = await correctionExamples(em);
    const { train, test } = holdOutSplit(LABELLED_EXAMPLES);
    const scored = evaluateClassifier(trainClassifier([...train, ...corrections]), test);
    const classifier = trainClassifier([...LABELLED_EXAMPLES, ...corrections]);
    const existing = await em.findOne(ClassifierModel, { version: classifier.version });
    if (existing)
      throw new AppError('CONFLICT', `Model ${classifier.version} is already the one in use: no corrections since it was trained.`);
    const model = Object.assign(new ClassifierModel(), {
      version: classifier.version,
      model: classifier.toJSON(),
      shippedExamples: LABELLED_EXAMPLES.length,
      corrections: corrections.length,
      heldOutAccuracy: scored.accuracy,
      trainedBy: actorOf(ctx).actor,
      createdAt: ctx.clock.now(),
      updatedAt: ctx.clock.now(),
    });
    em.persist(model);
    return model;
  });
}

export interface ClassifierInfo {
  version: string;
  shippedExamples: number;
  corrections: number;
  heldOutAccuracy: number;
  trainedAt: Date | null;
}

export async function classifierInfo(ctx: RequestContext): Promise<ClassifierInfo> {
  const [latest] = await ctx.em.find(ClassifierModel, {}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 1 });
  if (latest) {
    return {
      version: latest.version,
      shippedExamples: latest.shippedExamples,
      corrections: latest.corrections,
      heldOutAccuracy: latest.heldOutAccuracy,
      trainedAt: latest.createdAt,
    };
  }
  const { train, test } = holdOutSplit(LABELLED_EXAMPLES);
  return {
    version: defaultClassifier().version,
    shippedExamples: LABELLED_EXAMPLES.length,
    corrections: 0,
    heldOutAccuracy: heldOutAccuracyOfShipped(train, test),
    trainedAt: null,
  };
}

let shippedAccuracy: number | null = null;
function heldOutAccuracyOfShipped(train: readonly LabelledExample[], test: readonly LabelledExample[]): number {
  const accuracy = shippedAccuracy ?? evaluateClassifier(trainClassifier(train), test).accuracy;
  shippedAccuracy = accuracy;
  return accuracy;
}
