"""The referral graph (networkx): what needs to come first, and where a service refers on.

Nodes are service kinds (``kind:<id>``) and active services (``service:<id>``).
Edges carry ``rel``: ``requires`` (a work permit requires an identity document; a
service that needs a police report requires ``documents.police_report``) and
``refers_to`` (wage-claim legal aid refers onward to labour-court representation).
A cycle among ``requires`` edges (lifted to kinds) or among service ``refers_to`` edges
is rejected with the cycle named, when the graph is built and when a service is checked.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, cast

from freechoice.catalog import SERVICE_KINDS, Catalog, ReferralCycleError, Service, ServiceCard
from freechoice.catalog.index import graph_facts, lifted_requires
from freechoice.catalog.taxonomy import DOCUMENT_KINDS

if TYPE_CHECKING:  # networkx is imported where a graph is built (not needed to start serving)
    import networkx as nx

__all__ = ["ReferralGraph", "check_service", "referral_graph", "required_kinds"]


def required_kinds(svc: Service | ServiceCard) -> list[str]:
    """Kinds a service needs first: its ``requires`` plus the kinds that provide a document
    it asks for (a police report comes from a police report service). A kind the service
    offers itself is never its own prerequisite."""
    docs = set(svc.eligibility.documents_required) | {d.code for d in svc.required_documents}
    out = set(svc.requires) | {DOCUMENT_KINDS[d] for d in docs if d in DOCUMENT_KINDS}
    return sorted(out - set(svc.kinds))


def _k(kind: str) -> str:
    return f"kind:{kind}"


def _s(sid: str) -> str:
    return f"service:{sid}"


class ReferralGraph:
    """The referral graph of one catalog version.

    Built in full (``ReferralGraph(catalog)``: every cycle checked) or, through
    :func:`referral_graph`, as a live view that answers each question from the catalog's
    own records of the services asked about: no walk over the catalog, so a change to
    one service costs a worker nothing here. ``graph`` (networkx) is built on first use.

    >>> from freechoice.catalog import load_sample_catalog
    >>> g = ReferralGraph(load_sample_catalog())
    >>> g.kind_requires("documents.work_permit")
    ['documents.identity']
    """

    def __init__(self, catalog: Catalog, extra: Service | None = None, *, check: bool = True) -> None:
        self.catalog = catalog
        self.extra = extra
        self._graph: nx.DiGraph | None = None
        self._memo: dict[tuple[str, str], object] = {}
        if check:
            self._check_cycles([s for s in self._services()])

    def _services(self) -> list[Service | ServiceCard]:
        extra = self.extra
        services: list[Service | ServiceCard] = [
            s for s in self.catalog.cards() if s.status == "active" and (extra is None or s.id != extra.id)
        ]
        if extra is not None and extra.status == "active":
            services.append(extra)
        return services

    def _active(self, service_id: str) -> Service | ServiceCard | None:
        if self.extra is not None and service_id == self.extra.id:
            svc: Service | ServiceCard | None = self.extra
        else:
            svc = self.catalog.get_card(service_id)
        return svc if svc is not None and svc.status == "active" else None

    @property
    def graph(self) -> nx.DiGraph:
        """The whole graph as networkx (built on first use: a walk over the catalog)."""
        if self._graph is None:
            import networkx as nx

            g = nx.DiGraph()
            for kind in SERVICE_KINDS.values():
                g.add_node(_k(kind.id), type="kind")
                for req in kind.requires:
                    g.add_edge(_k(kind.id), _k(req), rel="requires")
                for ref in kind.refers_to:
                    g.add_edge(_k(kind.id), _k(ref), rel="refers_to")
            services = self._services()
            ids = {s.id for s in services}
            for svc in services:
                g.add_node(_s(svc.id), type="service")
                for own in svc.kinds:
                    g.add_edge(_s(svc.id), _k(own), rel="is_a")
                for req in required_kinds(svc):
                    g.add_edge(_s(svc.id), _k(req), rel="requires")
                for ref in svc.refers_to:
                    if ref in ids:
                        g.add_edge(_s(svc.id), _s(ref), rel="refers_to")
            self._graph = g
        return self._graph

    def _check_cycles(self, services: list[Service | ServiceCard]) -> None:
        import networkx as nx

        lifted = nx.DiGraph()
        for kind in SERVICE_KINDS.values():
            for req in kind.requires:
                lifted.add_edge(kind.id, req)
        for svc in services:
            lifted.add_edges_from(lifted_requires(svc))
        _raise_on_cycle(lifted, "requires")
        refs = nx.DiGraph(
            (u, v) for u, v, rel in self.graph.edges(data="rel") if rel == "refers_to" and u.startswith("service:")
        )
        _raise_on_cycle(refs, "refers_to")

    def _cached(self, key: tuple[str, str], compute):  # type: ignore[no-untyped-def]
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = compute()
        return hit

    def kind_requires(self, kind: str) -> list[str]:
        """Kinds a kind requires directly (taxonomy)."""
        return self._cached(("kreq", kind), lambda: self._kind_requires(kind))  # type: ignore[no-any-return]

    def _kind_requires(self, kind: str) -> list[str]:
        known = SERVICE_KINDS.get(kind)
        return sorted(set(known.requires)) if known is not None else []

    def service_requires(self, service_id: str) -> list[str]:
        """Kinds a service requires: its own ``requires`` (and the kinds that give the documents
        it asks for) plus what its kinds require, less the kinds it offers itself."""
        key = ("sreq", service_id)
        hit = self._memo.get(key)
        if hit is None:  # looked up without a closure per call: every candidate's walk asks
            hit = self._memo[key] = self._service_requires(service_id)
        return cast("list[str]", hit)

    def _service_requires(self, service_id: str) -> list[str]:
        svc = self._active(service_id)
        if svc is None:
            return []
        out = set(required_kinds(svc))
        for own in svc.kinds:
            out.update(self.kind_requires(own))
        return sorted(out - set(svc.kinds))

    def onward(self, service_id: str) -> tuple[list[str], list[str]]:
        """Where a service refers on: (service ids, kinds), both sorted."""
        key = ("onward", service_id)
        hit = self._memo.get(key)
        if hit is None:  # looked up without a closure per call: every option built asks
            hit = self._memo[key] = self._onward(service_id)
        return cast("tuple[list[str], list[str]]", hit)

    def _onward(self, service_id: str) -> tuple[list[str], list[str]]:
        svc = self._active(service_id)
        if svc is None:
            return [], []
        services = sorted({ref for ref in svc.refers_to if self._active(ref) is not None})
        kinds: set[str] = set()
        for own in svc.kinds:
            known = SERVICE_KINDS.get(own)
            if known is not None:
                kinds.update(known.refers_to)
        return services, sorted(kinds)

    def chain_length(self, service_id: str, satisfied: frozenset[str]) -> int:
        """How many unsatisfied prerequisite kinds lie behind a service (for shortest-first)."""
        seen: set[str] = set()
        todo = [k for k in self.service_requires(service_id) if k not in satisfied]
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            todo.extend(r for r in self.kind_requires(k) if r not in satisfied)
        return len(seen)


def _raise_on_cycle(g: nx.DiGraph, rel: str) -> None:
    import networkx as nx

    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return
    raise ReferralCycleError([str(u) for u, _v in cycle])


_CACHE: weakref.WeakKeyDictionary[Catalog, tuple[int, ReferralGraph]] = weakref.WeakKeyDictionary()


def referral_graph(catalog: Catalog) -> ReferralGraph:
    """The live referral graph of the catalog (answers memoised until a change could alter
    them: ``Catalog.graph_revision``; a capacity or wording change does not). Nothing here
    walks the catalog: the catalog was checked for cycles service by service as it changed."""
    revision = catalog.graph_revision
    hit = _CACHE.get(catalog)
    if hit is not None and hit[0] == revision:
        return hit[1]
    graph = ReferralGraph(catalog, check=False)
    _CACHE[catalog] = (revision, graph)
    return graph


def check_service(catalog: Catalog, service: Service) -> None:
    """Raise ReferralCycleError if adding or changing ``service`` would close a cycle.

    A change that leaves the service's graph facts as they are (capacity, hours,
    words), or that takes it out of service, cannot close one and is not checked again.
    Otherwise only what the service can reach is walked: the kind graph (bounded by the
    taxonomy) with the service's edges put in, and the services its ``refers_to`` reach.
    """
    current = catalog.get_card(service.id)
    if service.status != "active" or (current is not None and graph_facts(current) == graph_facts(service)):
        return
    import networkx as nx

    lifted = nx.DiGraph()
    for kind in SERVICE_KINDS.values():
        for req in kind.requires:
            lifted.add_edge(kind.id, req)
    lifted.add_edges_from(catalog.lifted_edges(without=service.id))
    lifted.add_edges_from(lifted_requires(service))
    _raise_on_cycle(lifted, "requires")
    path = catalog.refers_path(service.refers_to, service.id, replacing=service)
    if path is not None:
        raise ReferralCycleError([_s(sid) for sid in [service.id, *path[:-1]]])
