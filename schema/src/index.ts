/**
 * Typed GraphQL documents for Tierdesk clients, generated from the committed schema.graphql and the documents in
 * operations/. Each `…Document` is a TypedDocumentNode: a client that accepts one infers its result and variables.
 */
export type { TypedDocumentNode } from '@graphql-typed-document-node/core';
export * from './generated.js';
