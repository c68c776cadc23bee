// The winkjs packages ship no TypeScript types; these declare only the parts classifier.ts uses.

declare module 'wink-naive-bayes-text-classifier' {
  namespace naiveBayesTextClassifier {
    interface NaiveBayesTextClassifier {
      definePrepTasks(tasks: ReadonlyArray<(input: never) => unknown>): number;
      defineConfig(config: { considerOnlyPresence?: boolean; smoothingFactor?: number }): boolean;
      learn(input: string, label: string): boolean;
      consolidate(): boolean;
      /** log2 odds of each label against all the others, best first; `[['unknown', 0]]` when no token is known. */
      computeOdds(input: string): Array<[string, number]>;
      predict(input: string): string;
      exportJSON(): string;
      importJSON(json: string): boolean;
    }
  }
  function naiveBayesTextClassifier(): naiveBayesTextClassifier.NaiveBayesTextClassifier;
  export = naiveBayesTextClassifier;
}

declare module 'wink-nlp-utils' {
  interface WordsFilter {
    exclude(word: string): boolean;
  }
  const nlpUtils: {
    helper: {
      returnWordsFilter(words: readonly string[]): WordsFilter;
    };
    string: {
      lowerCase(text: string): string;
      tokenize0(text: string): string[];
      stem(word: string): string;
    };
    tokens: {
      removeWords(tokens: string[], stopWords?: WordsFilter): string[];
    };
  };
  export = nlpUtils;
}
