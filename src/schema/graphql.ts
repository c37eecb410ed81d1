// graphql 16 ships a CommonJS build (index.js: what Node loads for every package here, Pothos, Yoga
// and @apollo/* alike) and an ES build (index.mjs: what Vite picks for the files it transforms, so
// in vitest). Loaded twice, classes from one copy fail `instanceof` in the other (GraphQLError,
// schema types). Naming the CommonJS entry pins one copy in both runtimes; gateway code takes its
// graphql values from here. Type-only imports may name 'graphql' directly.
export * from 'graphql/index.js';
