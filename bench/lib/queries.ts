// The GraphQL documents the bench measures (issue #4): the queries frontends run most.

/** A page of servers with their flavor, image and keypair: the query GraphQL Mesh needs 201 calls for. */
export const Q1 = `query Q1 {
  servers(first: 100) {
    edges { node { id name status flavor { name vcpus ram } image { name } keypair { name } } }
  }
}`;

/** One server with its volumes. */
export const Q2 = `query Q2($id: ID!) {
  server(id: $id) { id name volumeAttachments { device volume { size status } } }
}`;

/** The flavor catalogue with every field. */
export const Q3 = `query Q3 {
  flavors {
    id name vcpus ram disk swap ephemeral rxtxFactor isPublic disabled extraSpecs { key value }
  }
}`;

/** Finds a server with volume attachments for Q2 (run once, not measured). */
export const SERVERS_WITH_ATTACHMENTS = `query {
  servers(first: 100) { edges { node { id volumeAttachments { volumeId } } } }
}`;

export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables === undefined ? { query } : { query, variables });
}
