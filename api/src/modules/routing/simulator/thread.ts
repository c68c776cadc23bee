import { parentPort, workerData } from 'node:worker_threads';
import { defaultClassifier, TextClassifier } from '../classifier.js';
import { simulate } from './engine.js';
import type { Scenario } from './scenario.js';

/** One simulation off the API's event loop: the API keeps answering while a what-if runs (simulation.service.ts). */
const { scenario, model, maxEvents } = workerData as { scenario: Scenario; model: string | null; maxEvents?: number };
const classifier = model ? TextClassifier.fromJSON(model) : defaultClassifier();
parentPort!.postMessage(simulate(scenario, { classifier, maxEvents }));
