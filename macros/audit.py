"""The claims audit and the decision guide: both link every statement to the evidence behind it."""

from __future__ import annotations

from collections import Counter

from content.loading import Site
from content.models import Evidence, Reason
from . import urls
from .rendering import compact_html, render, source_label

def evidence_link(site: Site, evidence: Evidence, page_src: str) -> tuple[str, str]:
    """(label, href) for one piece of evidence, relative to the page."""
    if evidence.source:
        return source_label(evidence.source), evidence.source
    if evidence.feature:
        _, feature = site.feature(evidence.feature)
        return f"Matrix: {feature.name}", urls.html_link(page_src, urls.feature(feature.id))
    if evidence.topic:
        return f"Topic: {site.topic(evidence.topic).title}", urls.html_link(page_src, urls.topic(evidence.topic))
    if evidence.notebook:
        return (f"Notebook: {site.notebooks[evidence.notebook].title}",
                urls.html_link(page_src, urls.notebook(evidence.notebook)))
    return (measurement_label(site, evidence.measurement),
            urls.html_link(page_src, urls.measurement(evidence.measurement)))


def measurement_label(site: Site, measurement_id: str) -> str:
    """'cpu-2026-11-22-cnn-training-step' → 'Measurement: cnn, training-step (run cpu-2026-11-22)'."""
    for run in site.benchmarks:
        for timing in run.timings:
            if f"{run.id}-{timing.model}-{timing.task}" == measurement_id:
                return f"Measurement: {timing.model}, {timing.task} (run {run.id})"
    return f"Measurement: {measurement_id}"


def claims_audit(site: Site, page_src: str) -> str:
    """The seed articles, a filterable summary table of every distinct claim, then each claim's entry."""
    tally = Counter(claim.verdict for claim in site.claims)
    articles = {article.id: article for article in site.articles}
    used = [v for v in site.verdicts.verdicts if tally.get(v.id)]
    label = {v.id: v.label for v in site.verdicts.verdicts}
    return render(
        "claims_audit.md",
        articles=site.articles,
        claim_counts={a.id: sum(a.id in c.made_by for c in site.claims) for a in site.articles},
        tally=[(v.label, tally[v.id], v.id, v.description) for v in used],
        total=len(site.claims),
        table=compact_html(render("claims_table.html", claims=site.claims, articles=articles,
                                  verdicts=[(v.id, v.label) for v in used],
                                  all_articles=site.articles, verdict_label=label.__getitem__,
                                  anchor=urls.claim_anchor)),
        entries=compact_html(render("claims_entries.html", claims=site.claims, articles=articles,
                                    topic=lambda topic_id: evidence_link(site, Evidence(topic=topic_id), page_src),
                                    verdict_label=label.__getitem__, anchor=urls.claim_anchor,
                                    evidence=lambda e: evidence_link(site, e, page_src))),
    )


def reason_link(site: Site, reason: Reason, page_src: str) -> tuple[str, str]:
    if reason.feature:
        _, feature = site.feature(reason.feature)
        return f"matrix: {feature.name}", urls.html_link(page_src, urls.feature(feature.id))
    return f"topic: {site.topic(reason.topic).title}", urls.html_link(page_src, urls.topic(reason.topic))


def decision_guide(site: Site, page_src: str) -> str:
    return render(
        "decision_guide.md",
        situations=site.situations,
        framework_name={f.id: f.name for f in site.frameworks},
        reason=lambda r: reason_link(site, r, page_src),
    )
