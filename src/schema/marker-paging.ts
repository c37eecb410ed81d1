// Relay pages over the upstream lists paged by `marker` (Glance images, Cinder volumes): the cursor of
// an item is its id under the list's kind, `endCursor` is the marker the upstream's next link names,
// and each node is primed into the request's loader so that a later read of it costs no call.

import { encodeMarkerCursor } from './validation.js';

/** An item and its cursor, computed only when a query selects it. */
export class MarkerEdge<N extends { id: string }> {
  constructor(
    private readonly kind: string,
    readonly node: N,
  ) {}

  get cursor(): string {
    return encodeMarkerCursor(this.kind, this.node.id);
  }
}

export function markerPage<N extends { id: string }>(
  kind: string,
  page: { nodes: readonly N[]; nextMarker: string | undefined; after: string | null | undefined },
  loader: { prime(id: string, node: NoInfer<N>): unknown },
) {
  const edges = page.nodes.map((node) => {
    loader.prime(node.id, node);
    return new MarkerEdge(kind, node);
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: page.nextMarker !== undefined,
      hasPreviousPage: Boolean(page.after),
      startCursor: edges[0]?.cursor ?? null,
      // The upstream's next link names the marker of the next page: that is where `after` must lead.
      endCursor: page.nextMarker !== undefined ? encodeMarkerCursor(kind, page.nextMarker) : (edges.at(-1)?.cursor ?? null),
    },
  };
}
