"""The claims audit and the decision guide: both link every statement to the evidence behind it."""

from __future__ import annotations

from collections import Counter

from .loading import Site
from .models import Evidence, Reason
from .rendering import compact_html, page_url, relative_url, render

VERDICT_LABELS = {
    "holds": "Holds",
    "outdated": "Outdated",
    "wrong": "Wrong",
    "depends": "Depends",
    "unverifiable": "Unverifiable",
}
VERDICT_MEANINGS = {
    "holds": "true for the executed releases",
    "outdated": "was true, no longer",
    "wrong": "never accurate",
    "depends": "true in the situations the entry names",
    "unverifiable": "no primary figure or measurement settles it",
}


def evidence_link(site: Site, evidence: Evidence, page_src: str) -> tuple[str, str]:
    """(label, href) for one piece of evidence, relative to the page."""
    here = page_url(page_src)
    if evidence.source:
        from .rendering import source_label
        return source_label(evidence.source), evidence.source
    if evidence.feature:
        _, feature = site.feature(evidence.feature)
        return f"Matrix: {feature.name}", relative_url(here, f"matrix/#feature-{feature.id}")
    if evidence.topic:
        return f"Topic: {site.topic(evidence.topic).title}", relative_url(here, f"topics/{evidence.topic}/")
    if evidence.notebook:
        return (f"Notebook: {site.notebooks[evidence.notebook].title}",
                relative_url(here, f"notebooks/{evidence.notebook}/"))
    return measurement_label(site, evidence.measurement), relative_url(here, f"topics/performance/#{evidence.measurement}")


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
    used = [v for v in VERDICT_LABELS if tally.get(v)]
    return render(
        "claims_audit.md",
        articles=site.articles,
        claim_counts={a.id: sum(a.id in c.made_by for c in site.claims) for a in site.articles},
        tally=[(VERDICT_LABELS[v], tally[v], v, VERDICT_MEANINGS[v]) for v in used],
        total=len(site.claims),
        table=compact_html(render("claims_table.html", claims=site.claims, articles=articles,
                                  verdicts=[(v, VERDICT_LABELS[v]) for v in used],
                                  all_articles=site.articles, verdict_label=VERDICT_LABELS.__getitem__)),
        entries=compact_html(render("claims_entries.html", claims=site.claims, articles=articles,
                                    topic=lambda topic_id: evidence_link(site, Evidence(topic=topic_id), page_src),
                                    verdict_label=VERDICT_LABELS.__getitem__,
                                    evidence=lambda e: evidence_link(site, e, page_src))),
    )


def reason_link(site: Site, reason: Reason, page_src: str) -> tuple[str, str]:
    here = page_url(page_src)
    if reason.feature:
        _, feature = site.feature(reason.feature)
        return f"matrix: {feature.name}", relative_url(here, f"matrix/#feature-{feature.id}")
    return f"topic: {site.topic(reason.topic).title}", relative_url(here, f"topics/{reason.topic}/")


def decision_guide(site: Site, page_src: str) -> str:
    return render(
        "decision_guide.md",
        situations=site.situations,
        framework_name={f.id: f.name for f in site.frameworks},
        reason=lambda r: reason_link(site, r, page_src),
    )
