"""Typed models of everything under data/: the single source of the data's shape.

The JSON Schemas in data/schema/ are generated from these classes (`python -m content.schema`), so
an editor's completion, the build's validation and the tests all read the same definition.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from notebooks.helpers.agreement import ATOL, RTOL
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo

from .text_policy import SOURCE_HOSTS_FILE, allowed_source, https_url, plain_text


def _source_url(value: str, info: ValidationInfo) -> str:
    value = https_url(value)
    # The loader passes the allow-list (data/source_hosts.yml) as validation context; the schema
    # generator and the allow-list file itself validate without it.
    prefixes = (info.context or {}).get("source_hosts")
    if prefixes is not None and not allowed_source(value, prefixes):
        raise ValueError(f"'{value[:80]}' is not on an allowed host — cite the framework's or project's own page, "
                         f"or add its host to {SOURCE_HOSTS_FILE} with its owner if it is official")
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]
HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-f]{6}$"),
                      Field(description='A colour as six lower-case hex digits, e.g. "#1b5e20".')]
HttpsUrl = Annotated[str, AfterValidator(_source_url)]
Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
    Field(description="Lower-case words joined by hyphens, e.g. `graph-compilation`."),
]
Version = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,3}([a-z]+[0-9]*)?$"),
    Field(description='A release number such as "2.0" or "0.4.1"; quote it in YAML.'),
]


class _Strict(BaseModel):
    # strict: YAML's implicit conversions (2.0 → float, yes → bool) are errors, not silent guesses.
    # allow_inf_nan=False: a NaN or infinite measurement would draw charts with width="nan".
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Release(_Strict):
    """One release. A history lists them oldest first, from the executed one to the newest on the package index."""
    version: Version
    date: dt.date
    source: HttpsUrl = Field(description="Official page that states this release and its date.")


class Tool(_Strict):
    """data/tools/<distribution>.yml — a pinned package whose executed version the versions page shows."""
    id: Identifier = Field(description="The pip distribution name, e.g. `orbax-checkpoint`.")
    framework: Identifier | None = Field(default=None, description="Framework id it belongs with, if any.")
    purpose: PlainText = Field(description="What the site uses it for, in a few words.")
    runs_in: Literal["notebooks", "build", "tests"] = Field(
        default="notebooks",
        description="Where it runs. `notebooks`: its version keys every notebook's cache and the executing kernel "
                    "reports it. `build` or `tests`: the build process reports it, and a new release re-executes "
                    "nothing.")
    releases: list[Release] = Field(min_length=1)


class Framework(_Strict):
    """data/frameworks/<id>.yml — one framework compared by the site."""

    id: Identifier
    name: PlainText
    order: int = Field(description="Column position in tables, from 1.")
    distribution: str = Field(description="pip distribution installed for it, e.g. `tensorflow-cpu`; its version is shown.")
    preview: bool = Field(default=False, description="Being added: data may leave it out; pages say not yet covered.")
    imports: list[str] = Field(min_length=1, description="Import lines its Rosetta code assumes; they define aliases.")
    from_numpy: str = Field(description="Expression making its tensor from the NumPy array `array` (names: imports, np).")
    colour: HexColour = Field(description="Its colour in charts.")
    maintainer: PlainText
    first_release: Release
    licence: str = Field(description="SPDX licence identifier, e.g. Apache-2.0.")
    licence_source: HttpsUrl
    home: HttpsUrl
    docs: HttpsUrl
    repository: HttpsUrl
    high_level_api: PlainText
    summary: PlainText
    releases: list[Release] = Field(min_length=1)


class SourceHost(_Strict):
    prefix: str = Field(pattern=r"^[a-z0-9.-]+\.[a-z]+(/[A-Za-z0-9._-]+)*$",
                        description="A host (`docs.pytorch.org`) or host/path prefix (`github.com/pytorch`) sources may "
                                    "point at; `www.` is implied.")
    owner: PlainText = Field(description="Who publishes there, e.g. `The PyTorch Foundation`.")
    framework: Identifier | None = Field(default=None, description="The framework id whose official site this is, if any.")
    official_for: PlainText = Field(description="What the site is the official record of.")


class SourceHosts(_Strict):
    """data/source_hosts.yml — the allow-list of hosts a source URL may point at."""

    hosts: list[SourceHost] = Field(min_length=1)


class NotebookOrder(_Strict):
    """data/notebook_order.yml — the reading order of the notebooks (the nav and the notebook index follow it)."""

    notebooks: list[Identifier] = Field(min_length=1, description="Notebook names (notebooks/<name>.py), in order.")


class Deprecation(_Strict):
    """A deprecation or move, as data: when, what replaces it, and who says so."""

    since: Version = Field(description="Release of this framework (or of the named package) that deprecated it.")
    latest_dating: Version | None = Field(default=None, description="If official sources differ: the latest named.")
    replacement: PlainText = Field(description="What to use instead, e.g. `torch.export`.")
    source: HttpsUrl


class FeatureCell(_Strict):
    """What one framework offers for one feature."""

    level: Identifier = Field(description="A support level id from data/support_levels.yml.")
    api: str | None = Field(
        default=None,
        description="API or tool name. Python APIs are written fully qualified (`torch.compile`, `tf.function`, "
                    "`jax.jit`, `keras.layers.Dense`); tests import and resolve every one.")
    package: str | None = Field(
        default=None,
        description="pip distribution the API lives in when it is not the framework's own package "
                    "(e.g. `flax`, `optax`, `tensorboard`); APIs from packages the site does not install "
                    "are then reported as not installed instead of failing.")
    via_keras: bool = Field(default=False, description="True when the framework offers this through Keras.")
    since: Version | None = Field(default=None, description="First release that offered it.")
    deprecation: Deprecation | None = Field(default=None, description="Required when level is `deprecated`.")
    note: PlainText
    sources: list[HttpsUrl] = Field(min_length=1, description="Official docs or repository pages.")


class Difference(_Strict):
    """How the frameworks differ for a feature or a Rosetta row, in more than the code shown."""

    kind: Identifier = Field(description="A difference kind id from data/difference_kinds.yml.")
    note: PlainText


class Feature(_Strict):
    id: Identifier
    name: PlainText
    description: PlainText
    difference: Difference | None = Field(default=None, description="Where they differ in more than the name.")
    cells: dict[str, FeatureCell] = Field(description="One cell per framework id.")


class FeatureCategory(_Strict):
    """data/features/<id>.yml — one category of the feature matrix."""

    id: Identifier
    title: PlainText
    order: int
    description: PlainText
    features: list[Feature] = Field(min_length=1)


class SnippetReference(_Strict):
    notebook: Identifier = Field(description="Notebook name: notebooks/<notebook>.py.")
    snippet: Identifier = Field(description="Snippet tag carried by one cell per framework.")
    title: PlainText = Field(description="Short heading above the tabs.")
    caption: PlainText = Field(description="What the code shows, one or two sentences.")


class Source(_Strict):
    title: PlainText
    url: HttpsUrl


class VerdictCondition(_Strict):
    condition: PlainText = Field(description='The situation, e.g. "you deploy to phones".')
    choice: PlainText = Field(description="What to pick in that situation and why.")


class TimelineEntry(_Strict):
    date: dt.date
    framework: Identifier
    version: Version
    event: PlainText
    source: HttpsUrl


class GlanceCell(_Strict):
    """One framework's row of a topic's at-a-glance table."""

    answer: PlainText = Field(description="The short answer for this framework: one sentence a reader can act on.")
    level: Identifier = Field(description="A support level id from data/support_levels.yml, shown as its badge.")
    api: PlainText = Field(description="What to use today, as `code` (e.g. `torch.export`); say so when nothing fits.")


class AtAGlance(_Strict):
    """The answer before the prose: one row per framework and the verdict in one line."""

    verdict: PlainText = Field(max_length=240, description="Which one, and why, in one line.")
    frameworks: dict[str, GlanceCell] = Field(description="Framework id → its row.")


class Topic(_Strict):
    """data/topics/<id>.yml — one topic page."""

    id: Identifier
    title: PlainText
    order: int
    summary: PlainText
    at_a_glance: AtAGlance = Field(description="The short answer shown before the prose.")
    questions: list[PlainText] = Field(
        min_length=3,
        description="Questions this page answers, phrased as readers ask them (full questions, old names such as "
                    "TF Lite or TorchScript, common misspellings); shown on the page and matched by search.")
    positions: dict[str, PlainText] = Field(description="Each framework's position, by framework id.")
    timeline: list[TimelineEntry] = Field(min_length=3, description="Dated releases that changed the answer.")
    related_features: list[Identifier] = Field(min_length=1, description="Feature ids of the matrix rows behind it.")
    snippets: list[SnippetReference] = Field(default_factory=list, description="Executed code shown as framework tabs.")
    verdict: list[VerdictCondition] = Field(min_length=3, description="At least three conditions and choices.")
    sources: list[Source] = Field(min_length=4, description="At least four official sources.")
    applies_to: dict[str, Version] = Field(description="Framework id → the release the page was checked against.")
    last_reviewed: dt.date
    measured_sections: list[Literal["code-size", "performance"]] = Field(
        default_factory=list, description="Generated sections of measurements to show on this page.")


# --- Claims audit: data/articles/<id>.yml and data/claims/<id>.yml ------------------------------

class SeedArticle(_Strict):
    """data/articles/<id>.yml — one of the seed articles the claims audit checks.

    The articles carry no date and no address, so neither is recorded.
    """

    id: Identifier
    title: PlainText | None = Field(default=None, description="The title the article gives itself, as it writes it; "
                                    "leave out when the article has none.")
    label: PlainText = Field(max_length=40, description="A short name for the summary table and the article filter, "
                             "taken from the title or, for an untitled article, its opening heading.")
    description: PlainText = Field(description="One line on what the article is and how it is laid out.")
    seed_file: str = Field(pattern=r"^[0-9]{3}_[0-9a-f]+\.txt$",
                           description="The article's file name among the project's seed files. Data only: the "
                                       "build reads nothing outside the project.")
    order: int


class Evidence(_Strict):
    """Exactly one of: an official source, a matrix feature, a topic, a notebook snippet, a measurement."""

    source: HttpsUrl | None = None
    feature: Identifier | None = None
    topic: Identifier | None = None
    notebook: Identifier | None = None
    measurement: Identifier | None = Field(default=None, description="<benchmark run id>-<model>-<task>, "
                                           "from data/benchmarks/.")
    date: dt.date | None = Field(default=None, description="The date the evidence carries: an announcement, a "
                                 "release, or the day a figure was recorded.")
    note: PlainText | None = None


class Claim(_Strict):
    """data/claims/<id>.yml — one distinct claim, once, with every seed article that makes it."""

    id: Identifier
    made_by: list[Identifier] = Field(min_length=1, description="Ids of the articles (data/articles/) that make "
                                      "this claim.")
    topic: Identifier = Field(description="The site topic (data/topics/) the claim is about; the summary table "
                              "lists claims in topic order.")
    claim: PlainText = Field(description="The claim, paraphrased (never copied); one wording that covers every "
                             "article that makes it.")
    verdict: Identifier = Field(description="A verdict id from data/claim_verdicts.yml.")
    reason: PlainText = Field(max_length=160, description="One line for the summary table: why this verdict.")
    explanation: PlainText
    changed: PlainText | None = Field(default=None, description="What changed since the claim was true, with dates.")
    pending_measurement: PlainText | None = Field(default=None, description="For speed claims not yet measured: "
                                                  "which measurement would decide it.")
    evidence: list[Evidence] = Field(min_length=1)


# --- Decision guide: data/situations/<id>.yml ----------------------------------------------------


class Reason(_Strict):
    text: PlainText
    feature: Identifier | None = None
    topic: Identifier | None = None


class Situation(_Strict):
    """data/situations/<id>.yml — one situation of the decision guide."""

    id: Identifier
    title: PlainText = Field(description='e.g. "Deploying to phones".')
    order: int
    situation: PlainText
    recommendation: list[Identifier] = Field(min_length=1, description="Framework ids, best fit first.")
    summary: PlainText
    reasons: list[Reason] = Field(min_length=2)
    last_reviewed: dt.date


# --- API Rosetta: data/rosetta/<category>.yml ----------------------------------------------------


class ResultsDiffer(_Strict):
    """Results are expected to differ; `check` states how, and the test verifies exactly that."""

    explanation: PlainText
    check: str = Field(description="Python expression over `results` (framework id → NumPy array) and `np`, "
                                   "true when the declared difference holds.")


class RosettaRow(_Strict):
    id: Identifier
    operation: PlainText = Field(description='What it does, e.g. "Matrix multiplication".')
    inputs: dict[str, str] = Field(
        default_factory=dict,
        description="Name → NumPy expression evaluated with `rng` (np.random.default_rng(0)) and `np`; each "
                    "framework's code sees the name bound to its own tensor, and `<name>_np` to the array.")
    code: dict[str, str] = Field(description="Framework id → a Python expression, or statements that assign `result`.")
    compare: Literal["values", "shape", "none"] = "values"
    rtol: float = Field(default=RTOL, description="Relative tolerance of the one equivalence rule "
                        "(notebooks/helpers/agreement.py); change it only with a reason.")
    atol: float = Field(default=ATOL, description="Absolute tolerance of the same rule.")
    results_differ: ResultsDiffer | None = Field(default=None, description="Only when the results differ on "
                                                 "purpose: why, and the check the test verifies.")
    difference: Difference | None = Field(default=None, description="How the APIs differ beyond their code.")
    closest_idiom: dict[str, PlainText] = Field(default_factory=dict, description="Framework id → why there is no "
                                                "direct equivalent and what the code above does instead.")
    sources: dict[str, HttpsUrl] = Field(description="Framework id → official page for the API used.")


class RosettaCategory(_Strict):
    """data/rosetta/<id>.yml — one category of operation-by-operation equivalences."""

    id: Identifier
    title: PlainText
    order: int
    description: PlainText
    rows: list[RosettaRow] = Field(min_length=1)

    @property
    def label(self) -> str:
        """Its name in the nav, its heading and search results: never the same words as the topic's title."""
        return f"APIs for {self.title[0].lower()}{self.title[1:]}"


class MovingWeights(_Strict):
    """What changes when a trained model's weights are copied across, and the notebook that does it and checks it."""

    layouts: PlainText = Field(description="The parameter layouts that differ and the transpose each needs.")
    notebook: Identifier = Field(description="The notebook (notebooks/<name>.py) that copies weights this way and "
                                             "checks the outputs agree.")


class MigrationGuide(_Strict):
    """data/migrations/<id>.yml — a guide generated from the Rosetta rows for one direction of travel."""

    id: Identifier
    title: PlainText
    order: int
    source: Identifier = Field(description="Framework id people come from.")
    target: Identifier = Field(description="Framework id they move to.")
    intro: PlainText
    weights: MovingWeights | None = Field(default=None, description="How trained weights move from source to target.")
    categories: list[Identifier] = Field(default_factory=list, description="Rosetta categories to cover; empty = all.")
